#include "results/plot.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/suggest.h"
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

std::string group_label(const std::vector<std::string>& keys, const std::vector<std::string>& values) {
  std::string label;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!label.empty()) label += ", ";
    label += keys[i].substr(keys[i].rfind('.') + 1) + "=" + values[i];
  }
  return label.empty() ? "all runs" : label;
}

}  // namespace

PlotFiles make_plot_files(const std::vector<RunRecord>& runs, const PlotOptions& options) {
  std::vector<const RunRecord*> ok;
  for (const auto& run : runs) {
    if (run.metrics.value("status", "") == "ok") ok.push_back(&run);
  }
  std::vector<std::string> by = options.by;
  if (by.empty()) {
    for (const auto& key : varying_spec_keys(runs)) {
      if (key != options.x) by.push_back(key);
    }
  }
  // (y, group) -> x -> values of y over the group's runs
  std::map<std::pair<size_t, std::vector<std::string>>, std::map<double, std::vector<double>>> series;
  std::vector<std::pair<size_t, std::vector<std::string>>> order;
  for (size_t yi = 0; yi < options.y.size(); ++yi) {
    const std::string& y_key = options.y[yi];
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
  PlotFiles files;
  std::ostringstream data;
  data.precision(10);
  size_t blocks = 0;
  std::vector<std::string> labels;
  for (const auto& id : order) {
    if (series[id].empty()) continue;
    std::string label = group_label(by, id.second);
    if (options.y.size() > 1) label = options.y[id.first] + (by.empty() ? "" : ": " + label);
    data << "# " << label << "\n";
    for (const auto& [x, ys] : series[id]) {
      const MetricStats s = describe(ys);
      data << x << " " << s.mean << " " << s.std << "\n";
    }
    data << "\n\n";
    labels.push_back(label);
    ++blocks;
  }
  const std::string y_text = join(options.y, ", ");
  if (blocks == 0) {
    throw InputError("plot: no run with status ok has both '" + options.x + "' and '" + y_text + "'");
  }
  files.data = data.str();

  const std::string dat = fs::path(options.out + ".dat").filename().string();
  std::ostringstream gp;
  gp << "set title " << gnuplot_string(options.title.empty() ? y_text + " vs " + options.x : options.title) << "\n";
  gp << "set xlabel " << gnuplot_string(options.x) << "\nset ylabel " << gnuplot_string(y_text) << "\n";
  gp << "set key outside right top\nset grid\n";
  std::ostringstream plot;
  plot << "plot ";
  for (size_t i = 0; i < blocks; ++i) {
    if (i) plot << ", ";
    plot << gnuplot_string(dat) << " index " << i
         << (is_metric_plot(options) ? " using 1:2:3 with yerrorlines" : " using 1:2 with lines") << " title "
         << gnuplot_string(labels[i]);
  }
  const std::string stem = fs::path(options.out).filename().string();
  gp << "set terminal pngcairo noenhanced size 1000,600\nset output " << gnuplot_string(stem + ".png") << "\n" << plot.str() << "\n";
  gp << "set terminal svg noenhanced size 1000,600\nset output " << gnuplot_string(stem + ".svg") << "\n" << plot.str() << "\n";
  files.script = gp.str();
  return files;
}

void render_plot(const std::vector<RunRecord>& runs, const PlotOptions& options) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    throw InputError("plot: gnuplot is not installed (Debian package gnuplot-nox)");
  }
  const PlotFiles files = make_plot_files(runs, options);
  const fs::path out(options.out);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  fs::create_directories(dir);
  write_file_durably(options.out + ".dat", files.data);
  write_file_durably(options.out + ".gp", files.script);
  const std::string command = "cd '" + dir.string() + "' && gnuplot '" + out.filename().string() + ".gp'";
  if (std::system(command.c_str()) != 0) throw RunError("plot: gnuplot failed on " + options.out + ".gp");
}

}  // namespace wei
