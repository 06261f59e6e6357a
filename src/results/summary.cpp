#include "results/summary.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "base/errors.h"

namespace wei {

using json = nlohmann::ordered_json;

double t_quantile_975(size_t dof) {
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof == 0) return 0;
  if (dof <= 30) return kTable[dof - 1];
  // Cornish-Fisher expansion around the normal quantile; error < 1e-3 for dof > 30.
  const double z = 1.959964;
  const double d = static_cast<double>(dof);
  return z + (z * z * z + z) / (4 * d) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

MetricStats describe(const std::vector<double>& values) {
  MetricStats s;
  s.n = values.size();
  if (s.n == 0) return s;
  double sum = 0;
  for (const double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double squares = 0;
  for (const double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(s.n - 1));
  s.ci_half = t_quantile_975(s.n - 1) * s.std / std::sqrt(static_cast<double>(s.n));
  return s;
}

Summary summarize(const std::vector<RunRecord>& runs, std::vector<std::string> keys, std::vector<std::string> metrics) {
  std::vector<const RunRecord*> ok;
  Summary summary;
  for (const auto& run : runs) {
    if (run.metrics.value("status", "") == "ok") {
      ok.push_back(&run);
    } else {
      ++summary.skipped;
    }
  }
  if (keys.empty()) keys = varying_spec_keys(runs);
  if (metrics.empty()) {
    for (const auto* run : ok) {
      const json final_block = run->metrics.value("final", json::object());
      for (const auto& [key, value] : final_block.items()) {
        const std::string path = "final." + key;
        if (value.is_number() && std::find(metrics.begin(), metrics.end(), path) == metrics.end()) metrics.push_back(path);
      }
    }
  }
  summary.keys = keys;
  summary.metrics = metrics;
  std::map<std::vector<std::string>, std::vector<std::vector<double>>> values;
  std::vector<std::vector<std::string>> order;
  for (const auto* run : ok) {
    std::vector<std::string> group;
    for (const auto& key : keys) {
      const auto v = value_at(run->metrics, key);
      group.push_back(v ? value_text(*v) : "-");
    }
    if (!values.count(group)) {
      order.push_back(group);
      values[group].resize(metrics.size());
    }
    for (size_t m = 0; m < metrics.size(); ++m) {
      const auto v = value_at(run->metrics, metrics[m]);
      if (v && v->is_number()) values[group][m].push_back(v->get<double>());
    }
  }
  for (const auto& group : order) {
    SummaryGroup g{group, {}};
    for (const auto& column : values[group]) g.stats.push_back(describe(column));
    summary.groups.push_back(std::move(g));
  }
  return summary;
}

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}
}  // namespace

std::string format_markdown(const Summary& summary) {
  std::string out = "|";
  for (const auto& key : summary.keys) out += " " + key + " |";
  for (const auto& metric : summary.metrics) out += " " + metric + " (mean ± std [95% CI], n) |";
  out += "\n|";
  for (size_t i = 0; i < summary.keys.size() + summary.metrics.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& group : summary.groups) {
    out += "|";
    for (const auto& v : group.key_values) out += " " + v + " |";
    for (const auto& s : group.stats) {
      if (s.n == 0) {
        out += " - |";
      } else if (s.n == 1) {
        out += " " + number(s.mean) + " (n=1) |";
      } else {
        out += " " + number(s.mean) + " ± " + number(s.std) + " [" + number(s.mean - s.ci_half) + ", " +
               number(s.mean + s.ci_half) + "], n=" + std::to_string(s.n) + " |";
      }
    }
    out += "\n";
  }
  if (summary.skipped) out += "\n(" + std::to_string(summary.skipped) + " run(s) without status ok left out)\n";
  return out;
}

std::string format_csv(const Summary& summary) {
  std::string out;
  std::vector<std::string> header = summary.keys;
  for (const auto& m : summary.metrics) {
    for (const char* suffix : {"_n", "_mean", "_std", "_ci95_low", "_ci95_high"}) header.push_back(m + suffix);
  }
  const auto csv_cell = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + csv_cell(header[i]);
  out += "\n";
  for (const auto& group : summary.groups) {
    std::vector<std::string> cells;
    for (const auto& v : group.key_values) cells.push_back(csv_cell(v));
    for (const auto& s : group.stats) {
      cells.push_back(std::to_string(s.n));
      for (const double v : {s.mean, s.std, s.mean - s.ci_half, s.mean + s.ci_half}) {
        cells.push_back(s.n ? number(v) : "");
      }
    }
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

}  // namespace wei
