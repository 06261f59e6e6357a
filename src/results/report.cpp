#include "results/report.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/suggest.h"
#include "base/utc_time.h"
#include "results/directory_activity.h"
#include "results/headline.h"
#include "results/number_format.h"
#include "results/plot.h"
#include "results/reference_lookup.h"
#include "results/result_set.h"
#include "results/summary.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

std::string html_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// A relative path as an href: every byte outside a safe set percent-encoded, so a run directory
// named "optim.lr=0.05,seed=1" or with a space still links to itself.
std::string report_href(const fs::path& relative) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : relative.generic_string()) {
    if (std::isalnum(c) || std::string("-._~/=,+:@").find(static_cast<char>(c)) != std::string::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  // "a:b" at the start would read as a URL scheme.
  if (out.find(':') != std::string::npos && out.find(':') < out.find('/')) out = "./" + out;
  return out;
}

fs::path absolute_normal(const fs::path& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

bool status_is_flagged(const std::string& status) {
  return status == "failed" || status == "diverged" || status == "io_error";
}

bool status_is_unfinished(const std::string& status) {
  return status == "pending" || status == "running" || status == "interrupted";
}

std::string status_badge(const std::string& status) {
  std::string mark;
  if (status == "ok") mark = "✓ ";
  if (status_is_flagged(status)) mark = "✗ ";
  if (status == "running") mark = "▶ ";
  if (status == "pending" || status == "interrupted") mark = "… ";
  return "<span class=\"status status-" + html_text(status) + "\">" + mark + html_text(status) + "</span>";
}

// One point of a root: a sweep point (from sweep.json) or a run directory found below the root.
struct ReportPoint {
  std::string name;
  fs::path dir;
  std::optional<int64_t> index;  // the sweep point's index: its console log is logs/<index>.log
  std::vector<std::string> overrides;
  const RunRecord* run = nullptr;
  std::string status;
  std::string error;
};

size_t point_history_lines(const fs::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

std::vector<ReportPoint> report_points(const fs::path& root, const std::vector<RunRecord>& runs, ReportOutcome& outcome) {
  std::map<fs::path, const RunRecord*> by_dir;
  for (const auto& run : runs) by_dir[absolute_normal(run.dir)] = &run;
  std::vector<ReportPoint> points;
  std::set<fs::path> listed;
  std::ifstream sweep_in(root / "sweep.json");
  if (sweep_in) {
    json plan;
    try {
      plan = json::parse(sweep_in);
    } catch (const json::exception&) {
      outcome.warnings.push_back((root / "sweep.json").string() + ": not valid JSON; points listed from run directories");
    }
    for (const auto& p : plan.value("points", json::array())) {
      ReportPoint point;
      point.name = p.value("dir", "");
      point.dir = root / point.name;
      if (p.contains("index") && p["index"].is_number_integer()) point.index = p["index"].get<int64_t>();
      for (const auto& o : p.value("overrides", json::array())) {
        if (o.is_string()) point.overrides.push_back(o.get<std::string>());
      }
      point.status = p.value("status", "pending");
      point.error = p.contains("error") && p["error"].is_string() ? p["error"].get<std::string>() : "";
      const auto found = by_dir.find(absolute_normal(point.dir));
      if (found != by_dir.end()) point.run = found->second;
      listed.insert(absolute_normal(point.dir));
      points.push_back(point);
    }
  }
  for (const auto& run : runs) {
    if (listed.count(absolute_normal(run.dir))) continue;
    ReportPoint point;
    const fs::path relative = fs::relative(absolute_normal(run.dir), absolute_normal(root));
    point.name = relative.empty() || relative == "." ? run.dir.filename().string() : relative.string();
    point.dir = run.dir;
    point.run = &run;
    points.push_back(point);
  }
  for (auto& point : points) {
    if (point.run) {
      point.status = point.run->metrics.value("status", "unknown");
      const auto error = value_at(point.run->metrics, "error");
      if (error && error->is_string()) point.error = error->get<std::string>();
    } else if (directory_in_use(point.dir)) {
      point.status = "running";
    }
    if (directory_in_use(point.dir)) outcome.busy = true;
    if (status_is_unfinished(point.status)) ++outcome.unfinished;
  }
  if (directory_in_use(root)) outcome.busy = true;
  outcome.points += points.size();
  return points;
}

// The value of `key` ("spec.optim.lr") for a point: from its metrics.json, else its override.
std::string point_key_value(const ReportPoint& point, const std::string& key) {
  if (point.run) {
    const auto v = value_at(point.run->metrics, key);
    return v ? value_text(*v) : "-";
  }
  const std::string name = key.rfind("spec.", 0) == 0 ? key.substr(5) : key;
  for (const auto& o : point.overrides) {
    if (o.rfind(name + "=", 0) == 0) return o.substr(name.size() + 1);
  }
  return "";
}

std::string link_if_present(const fs::path& file, const fs::path& page_dir, const std::string& text) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return "";
  const fs::path relative = fs::relative(absolute_normal(file), page_dir, ec);
  return "<a href=\"" + html_text(report_href(ec ? file : relative)) + "\">" + html_text(text) + "</a> ";
}

std::string points_html(const fs::path& root, const std::vector<ReportPoint>& points, const std::vector<std::string>& keys,
                        const std::optional<std::string>& headline, const fs::path& page_dir) {
  std::ostringstream out;
  out << "<table class=\"points\">\n<thead><tr><th>point</th>";
  for (const auto& key : keys) out << "<th>" << html_text(key.substr(key.rfind("spec.", 0) == 0 ? 5 : 0)) << "</th>";
  out << "<th>seed</th><th>status</th><th>epochs</th>";
  if (headline) out << "<th>final " << html_text(*headline) << "</th>";
  out << "<th>files</th><th>error</th></tr></thead>\n<tbody>\n";
  for (const auto& point : points) {
    out << "<tr class=\"point" << (status_is_flagged(point.status) ? " flagged" : "") << "\" data-status=\""
        << html_text(point.status) << "\"><td><code>" << html_text(point.name) << "</code></td>";
    for (const auto& key : keys) out << "<td>" << html_text(point_key_value(point, key)) << "</td>";
    out << "<td>" << html_text(point_key_value(point, "spec.seed")) << "</td><td>" << status_badge(point.status)
        << "</td>";
    size_t epochs = 0;
    if (point.run) {
      const auto history = value_at(point.run->metrics, "history");
      epochs = history && history->is_array() ? history->size() : 0;
    } else {
      epochs = point_history_lines(point.dir / "history.jsonl");
    }
    out << "<td class=\"num\">" << epochs << "</td>";
    if (headline) {
      std::string value;
      if (point.run) {
        auto v = value_at(point.run->metrics, "final." + *headline);
        if (!v || !v->is_number()) {
          const auto history = value_at(point.run->metrics, "history");
          if (history && history->is_array() && !history->empty() && history->back().contains(*headline)) {
            v = history->back()[*headline];
          }
        }
        if (v && v->is_number()) value = format_significant(v->get<double>());
      }
      out << "<td class=\"num\">" << html_text(value) << "</td>";
    }
    out << "<td class=\"files\">" << link_if_present(point.dir / "metrics.json", page_dir, "metrics.json")
        << link_if_present(point.dir / "log.txt", page_dir, "log.txt");
    if (point.index) {
      out << link_if_present(root / "logs" / (std::to_string(*point.index) + ".log"), page_dir, "console");
    }
    std::string error = point.error;
    if (error.size() > 300) error = error.substr(0, 300) + "...";
    out << "</td><td class=\"error\">" << html_text(error) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  return out.str();
}

std::string varying_html(const std::vector<RunRecord>& runs, const std::vector<std::string>& keys) {
  std::ostringstream out;
  std::vector<std::string> shown = keys;
  shown.push_back("spec.seed");
  out << "<table class=\"varying\">\n<thead><tr><th>spec key</th><th>values</th></tr></thead>\n<tbody>\n";
  for (const auto& key : shown) {
    std::vector<std::string> values;
    for (const auto& run : runs) {
      const auto v = value_at(run.metrics, key);
      const std::string text = v ? value_text(*v) : "-";
      if (std::find(values.begin(), values.end(), text) == values.end()) values.push_back(text);
    }
    if (key == "spec.seed" && values.size() < 2) continue;
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ", ") + v;
    out << "<tr><td><code>" << html_text(key.substr(5)) << "</code></td><td>" << html_text(joined) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  return out.str();
}

std::string summary_html(const SummaryTable& table) {
  std::ostringstream out;
  out << "<table class=\"summary\">\n<thead><tr>";
  for (const auto& column : table.columns) {
    out << "<th title=\"" << html_text(column.title) << "\"" << (column.numeric ? " class=\"num\"" : "") << ">"
        << html_text(column.header) << "</th>";
  }
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out << "<tr class=\"group\">";
    for (size_t c = 0; c < row.size(); ++c) {
      std::string cls = table.columns[c].numeric ? "num" : "";
      if (table.columns[c].header == "Δ/hw" && !row[c].empty() && row[c] != "-" &&
          std::fabs(std::strtod(row[c].c_str(), nullptr)) > 1) {
        cls += " far";
      }
      if (table.columns[c].header == "paper") cls += " paper";
      out << "<td" << (cls.empty() ? "" : " class=\"" + cls + "\"") << ">" << html_text(row[c]) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
  for (const auto& note : table.notes) out << "<p class=\"note\">" << html_text(note) << "</p>\n";
  return out.str();
}

// gnuplot's SVG made fit to sit inside HTML: no XML prologue or namespace declarations (an inline
// <svg> needs none, and the page then names no URL at all), ids prefixed so that several plots on
// one page keep their own markers and filters.
std::string inline_svg(const std::string& svg, const std::string& prefix, const std::string& title) {
  const size_t start = svg.find("<svg");
  if (start == std::string::npos) return "";
  std::string out = svg.substr(start);
  out = std::regex_replace(out, std::regex(R"(\s+xmlns(:\w+)?\s*=\s*("[^"]*"|'[^']*'))"), "");
  out = std::regex_replace(out, std::regex(R"(\bid=(['"]))"), "id=$1" + prefix);
  out = std::regex_replace(out, std::regex(R"(href=(['"])#)"), "href=$1#" + prefix);
  out = std::regex_replace(out, std::regex(R"(url\(#)"), "url(#" + prefix);
  out = std::regex_replace(out, std::regex(R"(<title>Gnuplot</title>)"), "<title>" + html_text(title) + "</title>");
  out.replace(0, 4, "<svg class=\"plot-svg\" role=\"img\" aria-label=\"" + html_text(title) + "\"");
  return out;
}

// Minimum and maximum of the positive values; nullopt when some value is not positive (no log axis).
struct PositiveRange {
  double low = INFINITY;
  double high = 0;
  bool all_positive = true;
  void add(double v) {
    if (!(v > 0)) all_positive = false;
    if (v > 0) {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  // Positive values spanning two decades or more: a log axis shows them, a linear one flattens the small ones.
  bool wants_log() const { return all_positive && high > 0 && high / low >= 100; }
};

struct PlannedPlot {
  PlotOptions options;
  std::string kind;  // "curve" or "metric"
};

std::vector<PlannedPlot> plan_report_plots(const std::vector<RunRecord>& runs, const Summary& summary,
                                           const std::optional<std::string>& headline,
                                           const std::vector<std::string>& by) {
  std::vector<PlannedPlot> plans;
  std::vector<const RunRecord*> ok;
  for (const auto& run : runs) {
    if (run.metrics.value("status", "") == "ok") ok.push_back(&run);
  }
  if (headline) {
    PlannedPlot curve;
    curve.kind = "curve";
    curve.options.y = {*headline};
    curve.options.by = by;
    PositiveRange range;
    for (const auto* run : ok) {
      for (const auto& row : run->metrics.value("history", json::array())) {
        if (row.contains(*headline) && row[*headline].is_number()) range.add(row[*headline].get<double>());
      }
    }
    curve.options.logy = range.wants_log();
    plans.push_back(curve);
  }
  std::vector<std::string> referenced;
  for (size_t m = 0; m < summary.metrics.size(); ++m) {
    if (summary.has_reference(m)) referenced.push_back(summary.metrics[m]);
  }
  for (const auto& key : varying_spec_keys(runs)) {
    std::set<double> xs;
    bool numeric = true;
    PositiveRange x_range;
    for (const auto* run : ok) {
      const auto v = value_at(run->metrics, key);
      if (!v) continue;
      if (!v->is_number()) numeric = false;
      if (v->is_number()) {
        xs.insert(v->get<double>());
        x_range.add(v->get<double>());
      }
    }
    if (!numeric || xs.size() < 2) continue;
    PlannedPlot plan;
    plan.kind = "metric";
    plan.options.x = key;
    plan.options.y = referenced;
    for (const auto& b : by) {
      if (b != key) plan.options.by.push_back(b);
    }
    std::vector<std::string> y = referenced;
    if (y.empty() && headline) y = {"final." + *headline, "best." + *headline};
    PositiveRange y_range;
    for (const auto* run : ok) {
      for (const auto& path : y) {
        const auto v = value_at(run->metrics, path);
        if (v && v->is_number()) y_range.add(v->get<double>());
      }
    }
    plan.options.logx = x_range.wants_log();
    plan.options.logy = y_range.wants_log();
    plans.push_back(plan);
  }
  return plans;
}

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A scratch directory for gnuplot's files, removed with its contents when the scope ends.
class ReportScratch {
 public:
  ReportScratch() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("wei-report-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~ReportScratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ReportScratch(const ReportScratch&) = delete;
  ReportScratch& operator=(const ReportScratch&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string plots_html(const std::vector<RunRecord>& runs, const Summary& summary,
                       const std::optional<std::string>& headline, const std::vector<std::string>& by,
                       size_t root_number, bool have_gnuplot, ReportOutcome& outcome) {
  const auto plans = plan_report_plots(runs, summary, headline, by);
  if (plans.empty()) return "<p class=\"note\">nothing to plot yet (no run with status ok and a headline metric)</p>\n";
  if (!have_gnuplot) {
    outcome.warnings.push_back("plots left out: gnuplot is not installed (Debian package gnuplot-nox)");
    return "<p class=\"warning\">Plots left out: gnuplot is not installed (Debian package gnuplot-nox).</p>\n";
  }
  std::ostringstream out;
  ReportScratch scratch;
  size_t number = 0;
  for (auto plan : plans) {
    ++number;
    const std::string id = "plot-" + std::to_string(root_number) + "-" + std::to_string(number);
    plan.options.out = (scratch.path() / id).string();
    plan.options.png = false;
    plan.options.svg_fit = true;
    plan.options.quiet = true;
    try {
      const PlotFiles files = render_plot(runs, plan.options);
      const std::string svg = inline_svg(read_whole_file(plan.options.out + ".svg"), id + "-", files.title);
      if (svg.empty()) throw RunError("gnuplot wrote no SVG");
      out << "<figure class=\"plot\" id=\"" << id << "\" data-kind=\"" << plan.kind << "\" data-y=\""
          << html_text(join(files.y, ",")) << "\" data-x=\"" << html_text(plan.options.x) << "\">\n"
          << svg << "\n<figcaption>" << html_text(files.title)
          << (plan.options.logy ? " — log y axis" : "") << (plan.options.logx ? " — log x axis" : "")
          << "</figcaption></figure>\n";
      ++outcome.plots;
    } catch (const std::exception& e) {
      outcome.warnings.push_back("plot " + id + " (" + plan.kind + " of " + plan.options.x + "): " + e.what());
      out << "<p class=\"warning\">Plot of " << html_text(plan.options.x) << " left out: " << html_text(e.what())
          << "</p>\n";
    }
  }
  return out.str();
}

}  // namespace

namespace {

const char* kReportStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; border-bottom: 2px solid #ccc; margin-top: 2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.paper { color: #555; } td.far { color: #a40000; font-weight: bold; }
tr.flagged { background: #fde8e8; }
.status-ok { color: #0a6b0a; } .status-failed, .status-diverged, .status-io_error { color: #a40000; font-weight: bold; }
.status-running, .status-pending, .status-interrupted { color: #8a5a00; }
.note, .meta { color: #555; font-size: 0.9em; margin: 0.2em 0; } .warning { color: #a40000; }
figure.plot { margin: 1em 0; } svg.plot-svg { width: 100%; height: auto; max-width: 1000px; display: block; }
figcaption { color: #555; font-size: 0.9em; } td.error { color: #a40000; font-size: 0.85em; max-width: 30em; }
code { font-size: 0.95em; }
)";

std::string root_section(const std::string& root_text, size_t root_number, const ReportOptions& options,
                         const fs::path& page_dir, bool have_gnuplot, ReportOutcome& outcome) {
  const fs::path root(root_text);
  if (!fs::exists(root)) throw InputError(root_text + ": no such file or directory");
  std::vector<RunRecord> runs = collect_runs({root_text});
  attach_references(runs, {root_text}, options.reference);
  const fs::path root_dir = fs::is_regular_file(root) ? root.parent_path() : root;
  const auto points = report_points(root_dir, runs, outcome);
  const auto headline = headline_metric(runs);
  const std::vector<std::string> keys = options.by.empty() ? varying_spec_keys(runs) : options.by;

  std::ostringstream out;
  out << "<section class=\"root\" id=\"root-" << root_number << "\" data-root=\"" << html_text(root_text) << "\">\n";
  out << "<h2>" << html_text(root_text) << "</h2>\n";
  std::map<std::string, size_t> counts;
  for (const auto& point : points) ++counts[point.status];
  std::string spec;
  std::string trainer;
  for (const auto& run : runs) {
    if (spec.empty()) spec = spec_file_of_run(run, {root_text});
    if (trainer.empty()) {
      const auto t = value_at(run.metrics, "spec.trainer");
      if (t && t->is_string()) trainer = t->get<std::string>();
    }
  }
  out << "<p class=\"meta\">";
  if (!trainer.empty()) out << "trainer <b>" << html_text(trainer) << "</b> · ";
  if (!spec.empty()) out << "spec <code>" << html_text(spec) << "</code> · ";
  out << points.size() << " point(s):";
  bool first = true;
  for (const auto& [status, count] : counts) {
    out << (first ? " " : ", ") << "<span class=\"status-" << html_text(status) << "\">" << count << " "
        << html_text(status) << "</span>";
    first = false;
  }
  if (headline) out << " · headline metric <code>" << html_text(*headline) << "</code>";
  out << "</p>\n";

  out << "<h3>Spec keys that vary</h3>\n";
  if (keys.empty() && runs.size() < 2) {
    out << "<p class=\"note\">none (one run)</p>\n";
  } else {
    out << varying_html(runs, keys);
  }

  out << "<h3>Summary</h3>\n";
  const Summary summary = summarize(runs, options.by, options.metrics);
  if (summary.groups.empty()) {
    out << "<p class=\"note\">no run with status ok yet</p>\n";
  } else {
    TableStyle style;
    style.width = SIZE_MAX;
    out << summary_html(summary_table(summary, style));
  }

  out << "<h3>Plots</h3>\n" << plots_html(runs, summary, headline, options.by, root_number, have_gnuplot, outcome);
  out << "<h3>Points</h3>\n" << points_html(root_dir, points, keys, headline, page_dir);
  out << "</section>\n";
  return out.str();
}

}  // namespace

std::string make_report_html(const ReportOptions& options, ReportOutcome& outcome) {
  outcome = ReportOutcome{};
  const fs::path page_dir = absolute_normal(fs::absolute(options.out).parent_path());
  const bool have_gnuplot = gnuplot_available();
  std::string sections;
  for (size_t i = 0; i < options.roots.size(); ++i) {
    sections += root_section(options.roots[i], i + 1, options, page_dir, have_gnuplot, outcome);
  }
  std::string roots_text;
  for (const auto& root : options.roots) roots_text += (roots_text.empty() ? "" : ", ") + root;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  if (options.refresh_seconds > 0) {
    out << "<meta http-equiv=\"refresh\" content=\"" << options.refresh_seconds << "\">\n";
  }
  out << "<title>wei-run report: " << html_text(roots_text) << "</title>\n<style>" << kReportStyle << "</style>\n"
      << "</head>\n<body>\n<h1>wei-run report: " << html_text(roots_text) << "</h1>\n"
      << "<p class=\"meta\">written " << utc_timestamp("%Y-%m-%d %H:%M:%S UTC") << " by wei-run " << WEI_RUN_VERSION
      << "; "
      << outcome.points << " point(s), " << outcome.unfinished << " not finished";
  if (options.refresh_seconds > 0) {
    out << "; rewritten every " << options.refresh_seconds << " s while the sweep runs (this page reloads itself)";
  }
  out << ". Tables: mean ± std over seeds; plots: mean over seeds with ±1 std bands or error bars.</p>\n";
  for (const auto& warning : outcome.warnings) out << "<p class=\"warning\">" << html_text(warning) << "</p>\n";
  out << sections << "</body>\n</html>\n";
  return out.str();
}

ReportOutcome write_report(const ReportOptions& options) {
  if (options.out.empty()) throw InputError("report: --out FILE.html is required");
  ReportOutcome outcome;
  const std::string html = make_report_html(options, outcome);
  const fs::path out(options.out);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  write_file_durably(out, html);
  return outcome;
}

}  // namespace wei
