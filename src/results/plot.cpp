#include "results/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/suggest.h"
#include "results/headline.h"
#include "results/summary.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

bool is_metric_plot(const PlotOptions& options) { return options.x.rfind("spec.", 0) == 0; }

std::string gnuplot_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// "spec.optim.lr" -> "optim.lr": axis labels and titles name spec keys as specs spell them.
std::string plot_key_name(const std::string& key) { return key.rfind("spec.", 0) == 0 ? key.substr(5) : key; }

std::string group_label(const std::vector<std::string>& keys, const std::vector<std::string>& values) {
  std::string label;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!label.empty()) label += ", ";
    label += keys[i].substr(keys[i].rfind('.') + 1) + "=" + values[i];
  }
  return label.empty() ? "all runs" : label;
}

// The y keys to plot: those asked for, else the headline metric (a history key on learning curves;
// final.<key>, or best.<key> when no run has it in final, against a parameter).
std::vector<std::string> plot_y_keys(const std::vector<RunRecord>& runs, const PlotOptions& options) {
  if (!options.y.empty()) return options.y;
  const auto headline = headline_metric(runs);
  if (!headline) {
    throw InputError("plot: no --y given and no run records its trainer's headline metric (metrics.json \"best\"); "
                     "give --y");
  }
  if (!is_metric_plot(options)) return {*headline};
  for (const auto& run : runs) {
    const auto v = value_at(run.metrics, "final." + *headline);
    if (v && v->is_number()) return {"final." + *headline};
  }
  return {"best." + *headline};
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

PlotFiles make_plot_files(const std::vector<RunRecord>& runs, const PlotOptions& options) {
  std::vector<const RunRecord*> ok;
  for (const auto& run : runs) {
    if (run.metrics.value("status", "") == "ok") ok.push_back(&run);
  }
  const std::vector<std::string> y_keys = plot_y_keys(runs, options);
  std::vector<std::string> by = options.by;
  if (by.empty()) {
    for (const auto& key : varying_spec_keys(runs)) {
      if (key != options.x) by.push_back(key);
    }
  }
  // (y, group) -> x -> values of y over the group's runs
  std::map<std::pair<size_t, std::vector<std::string>>, std::map<double, std::vector<double>>> series;
  std::vector<std::pair<size_t, std::vector<std::string>>> order;
  for (size_t yi = 0; yi < y_keys.size(); ++yi) {
    const std::string& y_key = y_keys[yi];
    for (const auto* run : ok) {
      std::vector<std::string> group;
      for (const auto& key : by) {
        const auto v = value_at(run->metrics, key);
        group.push_back(v ? value_text(*v) : "-");
      }
      const auto id = std::make_pair(yi, group);
      if (!series.count(id)) order.push_back(id);
      auto& points = series[id];
      if (is_metric_plot(options)) {
        const auto x = value_at(run->metrics, options.x);
        const auto y = value_at(run->metrics, y_key);
        if (x && y && x->is_number() && y->is_number()) points[x->get<double>()].push_back(y->get<double>());
      } else {
        for (const auto& row : run->metrics.value("history", json::array())) {
          if (row.contains(options.x) && row.contains(y_key) && row[options.x].is_number() && row[y_key].is_number()) {
            points[row[options.x].get<double>()].push_back(row[y_key].get<double>());
          }
        }
      }
    }
  }
  // Lines in the order of their group's values, numbers by value (width=32 before width=128),
  // whatever order the run directories were read in.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : key_values_less(a.second, b.second);
  });
  PlotFiles files;
  files.y = y_keys;
  std::ostringstream data;
  data.precision(10);
  size_t blocks = 0;
  std::vector<std::string> labels;
  std::vector<bool> banded;  // a block with a spread somewhere gets a band
  double smallest_positive_mean = std::numeric_limits<double>::infinity();
  bool positive_x = false;
  for (const auto& id : order) {
    if (series[id].empty()) continue;
    std::string label = group_label(by, id.second);
    if (y_keys.size() > 1) label = y_keys[id.first] + (by.empty() ? "" : ": " + label);
    data << "# " << label << "\n";
    bool spread = false;
    for (const auto& [x, ys] : series[id]) {
      const MetricStats s = describe(ys);
      data << x << " " << s.mean << " " << s.std << "\n";
      spread = spread || s.std > 0;
      if (s.mean > 0) smallest_positive_mean = std::min(smallest_positive_mean, s.mean);
      positive_x = positive_x || x > 0;
    }
    data << "\n\n";
    labels.push_back(label);
    banded.push_back(spread && !is_metric_plot(options));
    ++blocks;
  }
  const std::string y_text = join(y_keys, ", ");
  if (blocks == 0) {
    throw InputError("plot: no run with status ok has both '" + options.x + "' and '" + y_text + "'");
  }
  if (options.logy && !std::isfinite(smallest_positive_mean)) {
    throw InputError("plot: --logy needs a positive value of " + y_text + "; every mean is zero or below");
  }
  if (options.logx && !positive_x) throw InputError("plot: --logx needs a positive value of " + options.x);
  files.data = data.str();

  std::vector<std::string> by_names;
  for (const auto& key : by) by_names.push_back(plot_key_name(key));
  const bool any_band = std::find(banded.begin(), banded.end(), true) != banded.end();
  if (!options.title.empty()) {
    files.title = options.title;
  } else {
    files.title = y_text + " vs " + plot_key_name(options.x);
    if (!by_names.empty()) files.title += " by " + join(by_names, ", ");
    if (is_metric_plot(options)) {
      files.title += " (mean ± 1 std over seeds)";
    } else if (any_band) {
      files.title += " (mean over seeds, band ± 1 std)";
    }
  }

  const std::string dat = fs::path(options.out + ".dat").filename().string();
  std::ostringstream gp;
  gp << "set title " << gnuplot_string(files.title) << "\n";
  gp << "set xlabel " << gnuplot_string(plot_key_name(options.x) + (options.logx ? " (log scale)" : "")) << "\n";
  // Several long y keys would make a label taller than the plot: the key names them instead.
  const std::string y_label = y_text.size() <= 40 ? y_text : "value (see key)";
  gp << "set ylabel " << gnuplot_string(y_label + (options.logy ? " (log scale)" : "")) << "\n";
  if (options.logx) gp << "set logscale x\n";
  if (options.logy) gp << "set logscale y\nset format y \"%g\"\n";
  // Long line names go below the plot, where they do not squeeze it.
  size_t longest_label = 0;
  for (const auto& label : labels) longest_label = std::max(longest_label, label.size());
  gp << (longest_label <= 24 ? "set key outside right top\n" : "set key below\n") << "set grid\n";
  if (any_band) gp << "set style fill transparent solid 0.2 noborder\n";
  std::ostringstream lower;  // the band's lower edge, cut on a log axis
  if (options.logy) {
    std::ostringstream floor;
    floor.precision(10);
    floor << smallest_positive_mean / 2;
    lower << "(($2-$3) > " << floor.str() << " ? $2-$3 : " << floor.str() << ")";
  } else {
    lower << "($2-$3)";
  }
  std::ostringstream plot;
  plot << "plot ";
  bool first = true;
  for (size_t i = 0; i < blocks; ++i) {
    if (!banded[i]) continue;
    plot << (first ? "" : ", ") << gnuplot_string(dat) << " index " << i << " using 1:" << lower.str()
         << ":($2+$3) with filledcurves lc " << i + 1 << " notitle";
    first = false;
  }
  for (size_t i = 0; i < blocks; ++i) {
    plot << (first ? "" : ", ") << gnuplot_string(dat) << " index " << i
         << (is_metric_plot(options) ? " using 1:2:3 with yerrorlines" : " using 1:2 with lines") << " title "
         << gnuplot_string(labels[i]) << " lc " << i + 1 << " lw 2";
    first = false;
  }
  const std::string stem = fs::path(options.out).filename().string();
  if (options.png) {
    gp << "set terminal pngcairo noenhanced size 1000,600\nset output " << gnuplot_string(stem + ".png") << "\n"
       << plot.str() << "\n";
  }
  gp << "set terminal svg noenhanced size 1000,600" << (options.svg_fit ? " dynamic" : "") << "\nset output "
     << gnuplot_string(stem + ".svg") << "\n" << plot.str() << "\n";
  files.script = gp.str();
  return files;
}

PlotFiles render_plot(const std::vector<RunRecord>& runs, const PlotOptions& options) {
  if (!gnuplot_available()) throw InputError("plot: gnuplot is not installed (Debian package gnuplot-nox)");
  const PlotFiles files = make_plot_files(runs, options);
  const fs::path out(options.out);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  fs::create_directories(dir);
  write_file_durably(options.out + ".dat", files.data);
  write_file_durably(options.out + ".gp", files.script);
  const std::string stem = out.filename().string();
  std::string command = "cd '" + dir.string() + "' && gnuplot '" + stem + ".gp'";
  if (options.quiet) command += " 2>'" + stem + ".log'";
  if (std::system(command.c_str()) != 0) {
    std::string why;
    if (options.quiet) {
      std::ifstream log(options.out + ".log");
      std::getline(log, why);
    }
    throw RunError("plot: gnuplot failed on " + options.out + ".gp" + (why.empty() ? "" : ": " + why));
  }
  return files;
}

}  // namespace wei
