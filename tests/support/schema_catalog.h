#pragma once
// A catalog with one schema-only trainer ("toy", plus "other" for suggestions) for spec tests that
// must not depend on any real trainer's parameters, nor on the training layer.
#include <map>
#include <string>
#include <vector>

#include "spec/schema_catalog.h"

namespace wei::testing {

class ToyCatalog : public SchemaCatalog {
 public:
  ToyCatalog() {
    ParamSchema& s = schemas_["toy"];
    s.add_choice("method", "ldam", {"ce", "focal", "ldam"}, "loss");
    s.add_float("optim.lr", 0.1, "learning rate").greater_than(0);
    s.add_float("optim.momentum", 0.9, "momentum").at_least(0).at_most(1);
    s.add_int("optim.epochs", 200, "epochs").greater_than(0);
    s.add_int_list("optim.milestones", {160, 180}, "lr steps").at_least(0);
    s.add_bool("data.augment", true, "crop + flip");
    s.add_string("data.root", "", "dataset directory");
    s.add_float("focal.gamma", 1.0, "focal gamma").at_least(0).when("method", {"focal"});
    s.add_int("focal.warmup", 5, "focal warm-up epochs").at_least(0).when("method", {"focal"}).when("data.augment", {"true"});
    s.add_check({"optim.milestones", "optim.epochs"}, "every optim.milestones entry < optim.epochs", [](const Spec& spec) {
      for (const int64_t m : spec.get_int_list("optim.milestones")) {
        if (m >= spec.get_int("optim.epochs")) return false;
      }
      return true;
    });
    s.add_check({"focal.warmup", "optim.epochs"}, "focal.warmup < optim.epochs",
                [](const Spec& spec) { return spec.get_int("focal.warmup") < spec.get_int("optim.epochs"); });
    schemas_["other"];
  }
  std::vector<std::string> names() const override { return {"toy", "other"}; }
  const ParamSchema* schema_of(const std::string& name) const override {
    const auto it = schemas_.find(name);
    return it == schemas_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, ParamSchema> schemas_;
};

}  // namespace wei::testing
