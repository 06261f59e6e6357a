#include "trainers/spurious_selftrain/image_trainer.h"

#include <cmath>

#include "core/checkpoint_io.h"
#include "core/errors.h"
#include "core/seeding.h"
#include "data/mnist_idx.h"
#include "trainers/spurious_selftrain/celeba_domains.h"
#include "trainers/spurious_selftrain/colored_mnist.h"
#include "trainers/spurious_selftrain/networks.h"
#include "trainers/spurious_selftrain/objectives.h"

namespace wei::spurious {

namespace {

// Defaults of the keys both image experiments share, per section.
struct SectionDefaults {
  int64_t source_epochs, batch_size;
  std::string optimizer;
  double lr, momentum, weight_decay;
  int64_t adapt_steps;
  double adapt_lr;
  int64_t adapt_batch_size;
  double source_weight;
  int64_t log_every;
};

void add_section(ParamSchema& s, const std::string& p, const SectionDefaults& d) {
  s.add_int(p + "source_epochs", d.source_epochs, "source-phase epochs").greater_than(0);
  s.add_int(p + "batch_size", d.batch_size, "minibatch size (source phase, pseudo-label epochs)").greater_than(0);
  s.add_choice(p + "optimizer", d.optimizer, {"sgd", "adam"}, "optimiser of both phases");
  s.add_float(p + "lr", d.lr, "source-phase learning rate").greater_than(0);
  s.add_float(p + "momentum", d.momentum, "SGD momentum / Adam beta1").at_least(0).less_than(1);
  s.add_float(p + "weight_decay", d.weight_decay, "L2 weight decay of both phases").at_least(0);
  s.add_int(p + "adapt_steps", d.adapt_steps, "entropy-minimisation steps").greater_than(0);
  s.add_float(p + "adapt_lr", d.adapt_lr, "adapt-phase learning rate (fresh optimiser state)").greater_than(0);
  s.add_int(p + "adapt_batch_size", d.adapt_batch_size, "target batch per entropy step; 0 = the whole target")
      .at_least(0);
  s.add_float(p + "entropy_weight", 1.0, "weight of the target entropy").at_least(0);
  s.add_float(p + "source_weight", d.source_weight, "weight of a source cross-entropy batch in the adapt phase")
      .at_least(0);
  s.add_int(p + "log_every", d.log_every, "entropy steps per history row").greater_than(0);
  s.add_int(p + "pl_rounds", 3, "pseudo-label rounds (paper: 3, 6 or 30)").greater_than(0);
  s.add_int(p + "pl_epochs", 1, "epochs over the pseudo-labelled target per round").greater_than(0);
  s.add_float(p + "pl_threshold", 0.0, "keep target points whose top-class probability is at least this")
      .at_least(0).at_most(1);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Evaluation {
  double acc = 0;
  std::vector<std::pair<std::string, double>> group_acc;  // non-empty groups only
  double worst_group_acc = 0;
};

class ImageTrainer : public Trainer {
 public:
  explicit ImageTrainer(const RunContext& ctx)
      : ctx_(ctx),
        kind_(ctx.spec.get_string("data.kind")),
        p_(kind_ + "."),
        pseudo_label_(ctx.spec.get_string("adapt.method") == "pseudo_label"),
        shuffle_gen_(make_generator(ctx.seed, "shuffle")),
        batch_gen_(make_generator(ctx.seed, "adapt-batches")) {}

  void prepare() override {
    const Spec& spec = ctx_.spec;
    const std::string root = spec.get_string("data.root");
    at::Generator data_gen = make_generator(ctx_.seed, "data");
    if (kind_ == "colored_mnist") {
      MnistSplit train, test;
      if (root.empty()) {
        ctx_.log.warn("colored_mnist: no data.root given, using the synthetic digit-like stand-in (not MNIST)");
        at::Generator template_gen = make_generator(ctx_.seed, "synthetic-templates");
        train = synthetic_digits(spec.get_int("colored_mnist.synthetic_train_size"), template_gen, data_gen);
        test = synthetic_digits(spec.get_int("colored_mnist.synthetic_test_size"), template_gen, data_gen);
      } else {
        train = load_mnist_split(root, true);
        test = load_mnist_split(root, false);
      }
      data_ = make_colored_mnist_domains(train, test, spec.get_float("colored_mnist.correlation"), data_gen);
      const std::vector<int64_t>& hidden = spec.get_int_list("colored_mnist.hidden");
      model_ = make_mlp(data_.source_train.x.size(1), hidden, data_.classes);
      source_name_ = root.empty() ? "synthetic" : "mnist";
    } else {
      if (root.empty()) throw InputError("data.root: the celeba experiment needs the CelebA folder (no stand-in)");
      CelebaDomainOptions options;
      options.dark_women = spec.get_int("celeba.quota_dark_women");
      options.blond_men = spec.get_int("celeba.quota_blond_men");
      options.test_fraction = spec.get_float("celeba.test_fraction");
      options.available_only = spec.get_bool("celeba.available_only");
      data_ = make_celeba_domains(root, options, data_gen);
      model_ = make_small_cnn(spec.get_int("celeba.width"), data_.classes);
      source_name_ = "celeba";
    }
    at::Generator init_gen = make_generator(ctx_.seed, "init");
    reinitialise(*model_, init_gen);
    model_->to(ctx_.device);
    for (LabelledSet* set : {&data_.source_train, &data_.source_test, &data_.target_train, &data_.target_test})
      *set = set->to(ctx_.device);
    source_opt_ = make_optimizer(spec.get_float(p_ + "lr"));
    adapt_opt_ = make_optimizer(spec.get_float(p_ + "adapt_lr"));
  }

  nlohmann::ordered_json data_info() const override {
    nlohmann::ordered_json info = {{"source", source_name_}, {"kind", kind_}, {"root", ctx_.spec.get_string("data.root")}};
    info.update(data_.info);
    return info;
  }

  int64_t num_epochs() const override { return source_epochs() + adapt_epochs(); }

  nlohmann::ordered_json train_epoch(int64_t epoch) override {
    nlohmann::ordered_json row;
    if (epoch < source_epochs()) {
      row["phase"] = "source";
      row["train_loss"] = supervised_epoch(data_.source_train.x, data_.source_train.y, *source_opt_, epoch);
    } else if (pseudo_label_) {
      row["phase"] = "pseudo_label";
      row["round"] = epoch - source_epochs() + 1;
      pseudo_label_round(epoch, row);
    } else {
      const int64_t first = (epoch - source_epochs()) * log_every();
      const int64_t steps = std::min(log_every(), ctx_.spec.get_int(p_ + "adapt_steps") - first);
      row["phase"] = "entropy";
      row["step"] = first + steps;
      row["train_loss"] = entropy_steps(first, steps);
    }
    const Evaluation source = evaluate(data_.source_test);
    const Evaluation target = evaluate(data_.target_test);
    row["source_acc"] = source.acc;
    row["target_acc"] = target.acc;
    if (!data_.group_names.empty()) row["worst_group_acc"] = target.worst_group_acc;
    if (epoch + 1 == source_epochs()) before_ = summary(source, target, "_before");
    return row;
  }

  nlohmann::ordered_json final_metrics() override {
    nlohmann::ordered_json final = {{"source_acc", before_.at("source_acc_before")},
                                    {"target_acc_before", before_.at("target_acc_before")}};
    const nlohmann::ordered_json after = summary(evaluate(data_.source_test), evaluate(data_.target_test), "_after");
    final["target_acc_after"] = after.at("target_acc_after");
    final["source_acc_after"] = after.at("source_acc_after");
    if (!data_.group_names.empty()) {
      final["group_acc_before"] = before_.at("group_acc_before");
      final["group_acc_after"] = after.at("group_acc_after");
      final["worst_group_acc_before"] = before_.at("worst_group_acc_before");
      final["worst_group_acc"] = after.at("worst_group_acc_after");
    }
    return final;
  }

  HeadlineMetric headline() const override { return {"target_acc", false}; }

  // Examples through the model, a backward pass counting twice a forward one; every row also
  // evaluates the source and target test sets.
  double epoch_cost(int64_t epoch) const override {
    const Spec& spec = ctx_.spec;
    const auto n = [](const LabelledSet& set) { return static_cast<double>(set.size()); };
    const double eval = n(data_.source_test) + n(data_.target_test);
    const double target = n(data_.target_train);
    const double source_batch = spec.get_float(p_ + "source_weight") > 0
                                    ? static_cast<double>(std::min(spec.get_int(p_ + "batch_size"), data_.source_train.size()))
                                    : 0.0;
    if (epoch < source_epochs()) return 3.0 * n(data_.source_train) + eval;
    if (pseudo_label_) {  // predict the target, then pl_epochs over (at most) all of it
      const double batches = std::ceil(target / static_cast<double>(spec.get_int(p_ + "batch_size")));
      return target + static_cast<double>(spec.get_int(p_ + "pl_epochs")) * 3.0 * (target + batches * source_batch) + eval;
    }
    const int64_t first = (epoch - source_epochs()) * log_every();
    const int64_t steps = std::min(log_every(), spec.get_int(p_ + "adapt_steps") - first);
    const int64_t batch = spec.get_int(p_ + "adapt_batch_size");
    const double per_step = batch > 0 && batch < data_.target_train.size() ? static_cast<double>(batch) : target;
    return static_cast<double>(steps) * 3.0 * (per_step + source_batch) + eval;
  }

  void save_state(torch::serialize::OutputArchive& ar) const override {
    torch::serialize::OutputArchive model, source_opt, adapt_opt;
    model_->save(model);
    source_opt_->save(source_opt);
    adapt_opt_->save(adapt_opt);
    ar.write("model", model);
    ar.write("source_optimizer", source_opt);
    ar.write("adapt_optimizer", adapt_opt);
    write_generator(ar, "shuffle", shuffle_gen_);
    write_generator(ar, "adapt_batches", batch_gen_);
    write_string(ar, "before", before_.dump());
  }

  void load_state(torch::serialize::InputArchive& ar) override {
    torch::serialize::InputArchive model, source_opt, adapt_opt;
    ar.read("model", model);
    ar.read("source_optimizer", source_opt);
    ar.read("adapt_optimizer", adapt_opt);
    model_->load(model);
    source_opt_->load(source_opt);
    adapt_opt_->load(adapt_opt);
    read_generator(ar, "shuffle", shuffle_gen_);
    read_generator(ar, "adapt_batches", batch_gen_);
    before_ = nlohmann::ordered_json::parse(read_string(ar, "before"));
  }

 private:
  int64_t source_epochs() const { return ctx_.spec.get_int(p_ + "source_epochs"); }
  int64_t log_every() const { return ctx_.spec.get_int(p_ + "log_every"); }
  int64_t adapt_epochs() const {
    return pseudo_label_ ? ctx_.spec.get_int(p_ + "pl_rounds")
                         : ceil_div(ctx_.spec.get_int(p_ + "adapt_steps"), log_every());
  }

  std::unique_ptr<torch::optim::Optimizer> make_optimizer(double lr) const {
    const double momentum = ctx_.spec.get_float(p_ + "momentum");
    const double wd = ctx_.spec.get_float(p_ + "weight_decay");
    if (ctx_.spec.get_string(p_ + "optimizer") == "adam")
      return std::make_unique<torch::optim::Adam>(
          model_->parameters(), torch::optim::AdamOptions(lr).betas({momentum, 0.999}).weight_decay(wd));
    return std::make_unique<torch::optim::SGD>(model_->parameters(),
                                               torch::optim::SGDOptions(lr).momentum(momentum).weight_decay(wd));
  }

  void check_stop() const {
    if (ctx_.stop_requested && ctx_.stop_requested()) throw InterruptedError();
  }

  static double checked(const torch::Tensor& loss, int64_t epoch) {
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw DivergedError(epoch + 1, "non-finite loss in epoch " + std::to_string(epoch + 1));
    return value;
  }

  // source_weight * CE of a random source batch (0 when the weight is 0).
  torch::Tensor source_term() {
    const double weight = ctx_.spec.get_float(p_ + "source_weight");
    if (weight == 0) return torch::zeros({}, torch::TensorOptions().device(ctx_.device));
    const LabelledSet& s = data_.source_train;
    const int64_t batch = std::min(ctx_.spec.get_int(p_ + "batch_size"), s.size());
    const torch::Tensor idx = torch::randint(s.size(), {batch}, batch_gen_).to(ctx_.device);
    return weight * torch::cross_entropy_loss(model_->forward(s.x.index_select(0, idx)), s.y.index_select(0, idx));
  }

  // One shuffled pass of minibatch cross-entropy over (x, y); returns the mean loss.
  double supervised_epoch(const torch::Tensor& x, const torch::Tensor& y, torch::optim::Optimizer& opt,
                          int64_t epoch, bool with_source_term = false) {
    model_->train();
    const int64_t batch = ctx_.spec.get_int(p_ + "batch_size");
    const torch::Tensor order = torch::randperm(x.size(0), shuffle_gen_).to(ctx_.device);
    double total = 0;
    int64_t batches = 0;
    for (int64_t start = 0; start < x.size(0); start += batch, ++batches) {
      check_stop();
      const torch::Tensor idx = order.slice(0, start, start + batch);
      torch::Tensor loss = torch::cross_entropy_loss(model_->forward(x.index_select(0, idx)), y.index_select(0, idx));
      if (with_source_term) loss = loss + source_term();
      total += checked(loss, epoch);
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    return batches == 0 ? 0.0 : total / static_cast<double>(batches);
  }

  double entropy_steps(int64_t first, int64_t steps) {
    model_->train();
    const LabelledSet& t = data_.target_train;
    const int64_t batch = ctx_.spec.get_int(p_ + "adapt_batch_size");
    const double weight = ctx_.spec.get_float(p_ + "entropy_weight");
    double total = 0;
    for (int64_t i = 0; i < steps; ++i) {
      check_stop();
      torch::Tensor x = t.x;
      if (batch > 0 && batch < t.size())
        x = t.x.index_select(0, torch::randint(t.size(), {batch}, batch_gen_).to(ctx_.device));
      const torch::Tensor loss = weight * softmax_entropy(model_->forward(x)) + source_term();
      total += checked(loss, source_epochs() + (first + i) / log_every());
      adapt_opt_->zero_grad();
      loss.backward();
      adapt_opt_->step();
    }
    return total / static_cast<double>(steps);
  }

  void pseudo_label_round(int64_t epoch, nlohmann::ordered_json& row) {
    const LabelledSet& t = data_.target_train;
    const auto [labels, kept] = confident_pseudo_labels(predict_logits(t.x), ctx_.spec.get_float(p_ + "pl_threshold"));
    row["kept_fraction"] = static_cast<double>(kept.size(0)) / static_cast<double>(t.size());
    row["pseudo_label_acc"] =
        kept.size(0) == 0 ? 0.0 : labels.eq(t.y.index_select(0, kept)).to(torch::kDouble).mean().item<double>();
    const torch::Tensor x = t.x.index_select(0, kept);
    double loss = 0;
    for (int64_t e = 0; e < ctx_.spec.get_int(p_ + "pl_epochs"); ++e)
      loss = supervised_epoch(x, labels, *adapt_opt_, epoch, /*with_source_term=*/true);
    row["train_loss"] = loss;
  }

  torch::Tensor predict_logits(const torch::Tensor& x) {
    constexpr int64_t kEvalBatch = 1024;
    torch::NoGradGuard no_grad;
    model_->eval();
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < x.size(0); start += kEvalBatch)
      parts.push_back(model_->forward(x.slice(0, start, start + kEvalBatch)));
    return torch::cat(parts);
  }

  Evaluation evaluate(const LabelledSet& set) {
    const torch::Tensor correct = predict_logits(set.x).argmax(1).eq(set.y).to(torch::kDouble).cpu();
    Evaluation ev;
    ev.acc = correct.mean().item<double>();
    if (data_.group_names.empty()) return ev;
    ev.worst_group_acc = 1.0;
    const torch::Tensor group = set.group.cpu();
    for (size_t g = 0; g < data_.group_names.size(); ++g) {
      const torch::Tensor in_group = group.eq(static_cast<int64_t>(g));
      if (!in_group.any().item<bool>()) continue;
      const double acc = correct.masked_select(in_group).mean().item<double>();
      ev.group_acc.emplace_back(data_.group_names[g], acc);
      ev.worst_group_acc = std::min(ev.worst_group_acc, acc);
    }
    return ev;
  }

  nlohmann::ordered_json summary(const Evaluation& source, const Evaluation& target, const std::string& suffix) const {
    nlohmann::ordered_json out = {{"source_acc" + suffix, source.acc}, {"target_acc" + suffix, target.acc}};
    if (!data_.group_names.empty()) {
      nlohmann::ordered_json groups = nlohmann::ordered_json::object();
      for (const auto& [name, acc] : target.group_acc) groups[name] = acc;
      out["group_acc" + suffix] = groups;
      out["worst_group_acc" + suffix] = target.worst_group_acc;
    }
    return out;
  }

  RunContext ctx_;
  std::string kind_, p_, source_name_;
  bool pseudo_label_;
  at::Generator shuffle_gen_, batch_gen_;
  DomainData data_;
  torch::nn::Sequential model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> source_opt_, adapt_opt_;
  nlohmann::ordered_json before_ = nlohmann::ordered_json::object();
};

}  // namespace

void add_image_params(ParamSchema& s) {
  s.add_float("colored_mnist.correlation", 0.95, "source: chance the colour encodes the label (paper: 0.95, 0.97)")
      .at_least(0).at_most(1);
  s.add_int_list("colored_mnist.hidden", {128, 64}, "MLP hidden widths (paper: 128, 64)").at_least(1);
  s.add_int("colored_mnist.synthetic_train_size", 6000, "stand-in training images when data.root is empty")
      .at_least(30);
  s.add_int("colored_mnist.synthetic_test_size", 1000, "stand-in test images when data.root is empty").at_least(10);
  add_section(s, "colored_mnist.", {30, 64, "sgd", 0.03, 0.9, 0.002, 300, 0.03, 0, 0.0, 30});
  s.add_int("celeba.quota_dark_women", 1749, "source: first N dark-haired women in file order (paper: 1749)")
      .at_least(1);
  s.add_int("celeba.quota_blond_men", 1250, "source: first N blond men in file order (paper: 1250)").at_least(1);
  s.add_float("celeba.test_fraction", 0.1, "held-out fraction of each domain (paper: 0.1)").greater_than(0).less_than(1);
  s.add_bool("celeba.available_only", false,
             "use only rows whose image exists (an image subset); false: a missing image is an error");
  s.add_int("celeba.width", 96, "conv-small base width (VAT: 96)").greater_than(0);
  add_section(s, "celeba.", {10, 64, "adam", 1e-4, 0.9, 0.002, 2000, 1e-4, 64, 1.0, 200});
}

std::unique_ptr<Trainer> make_image_trainer(const RunContext& ctx) { return std::make_unique<ImageTrainer>(ctx); }

}  // namespace wei::spurious
