#include "results/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "base/errors.h"
#include "results/number_format.h"

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

std::optional<double> reference_deviation(const MetricStats& stats, double reference) {
  if (stats.n < 2) return std::nullopt;
  if (stats.ci_half > 0) return (stats.mean - reference) / stats.ci_half;
  if (stats.mean == reference) return 0.0;
  return std::nullopt;
}

bool Summary::has_reference(size_t metric) const {
  for (const auto& group : groups) {
    if (metric < group.reference.size() && group.reference[metric]) return true;
  }
  return false;
}

namespace {

// Key values in a table's order: numbers numerically (n_train 5 < 10 < 160), anything else as text.
bool key_value_less(const std::string& a, const std::string& b) {
  char* a_end = nullptr;
  char* b_end = nullptr;
  const double a_number = std::strtod(a.c_str(), &a_end);
  const double b_number = std::strtod(b.c_str(), &b_end);
  const bool numbers = !a.empty() && !b.empty() && *a_end == '\0' && *b_end == '\0';
  if (numbers && a_number != b_number) return a_number < b_number;
  return a < b;
}

}  // namespace

bool key_values_less(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), key_value_less);
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
    // What the paper reports comes first: it is what these tables are read for.
    for (const auto* run : ok) {
      if (!run->reference) continue;
      for (const auto& [path, value] : run->reference->values) {
        if (std::find(metrics.begin(), metrics.end(), path) == metrics.end()) metrics.push_back(path);
      }
    }
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
  // group -> metric -> the distinct reference values its runs declare
  std::map<std::vector<std::string>, std::vector<std::set<double>>> references;
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
      references[group].resize(metrics.size());
    }
    for (size_t m = 0; m < metrics.size(); ++m) {
      const auto v = value_at(run->metrics, metrics[m]);
      if (v && v->is_number()) values[group][m].push_back(v->get<double>());
      if (run->reference) {
        if (const auto r = run->reference->value_of(metrics[m])) references[group][m].insert(*r);
      }
    }
    if (run->reference) {
      std::string line = run->reference->source.empty() ? "(no source given)" : run->reference->source;
      line += " (" + run->reference->file + ")";
      if (std::find(summary.reference_sources.begin(), summary.reference_sources.end(), line) ==
          summary.reference_sources.end()) {
        summary.reference_sources.push_back(line);
      }
    }
  }
  std::sort(order.begin(), order.end(), key_values_less);
  for (const auto& group : order) {
    SummaryGroup g{group, {}, {}};
    for (const auto& column : values[group]) g.stats.push_back(describe(column));
    for (size_t m = 0; m < metrics.size(); ++m) {
      const auto& declared = references[group][m];
      if (declared.size() == 1) {
        g.reference.push_back(*declared.begin());
      } else {
        g.reference.push_back(std::nullopt);
        if (declared.size() > 1) {
          std::string name;
          for (size_t k = 0; k < keys.size(); ++k) name += (k ? ", " : "") + keys[k] + "=" + group[k];
          summary.reference_conflicts.push_back((name.empty() ? std::string("all runs") : name) + ": " + metrics[m]);
        }
      }
    }
    summary.groups.push_back(std::move(g));
  }
  return summary;
}

namespace {

std::string summary_short_name(const std::string& path, const std::string& prefix) {
  return path.rfind(prefix, 0) == 0 && path.size() > prefix.size() ? path.substr(prefix.size()) : path;
}

// Characters on a terminal: UTF-8 continuation bytes take no column.
size_t display_width(const std::string& text) {
  size_t width = 0;
  for (const unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

// At most `width` columns, the cut marked with an ellipsis.
std::string cut_to_width(const std::string& text, size_t width) {
  if (display_width(text) <= width) return text;
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++columns > width - 1) break;
    out += text[i];
  }
  return out + "…";
}

std::string stats_cell(const MetricStats& s, const TableStyle& style) {
  if (s.n == 0) return "-";
  const bool full_layout = style.layout == TableLayout::kFull;
  if (style.precision == TablePrecision::kFull) {
    if (s.n == 1) return format_full(s.mean) + (full_layout ? " (n=1)" : "");
    std::string cell = format_full(s.mean) + " ± " + format_full(s.std);
    if (full_layout) {
      cell += " [" + format_full(s.mean - s.ci_half) + ", " + format_full(s.mean + s.ci_half) +
              "], n=" + std::to_string(s.n);
    }
    return cell;
  }
  if (s.n == 1) return format_significant(s.mean) + (full_layout ? " (n=1)" : "");
  const NumberStyle number = style_for(s.mean, s.std);
  std::string cell = format_number(s.mean, number) + " ± " + format_number(s.std, number);
  if (full_layout) {
    cell += " [" + format_number(s.mean - s.ci_half, number) + ", " + format_number(s.mean + s.ci_half, number) +
            "], n=" + std::to_string(s.n);
  }
  return cell;
}

// The reference as written in the spec: the shortest text that reads back to it.
std::string reference_text(double value) { return json(value).dump(); }

}  // namespace

SummaryTable summary_table(const Summary& summary, const TableStyle& style) {
  const bool compact = style.layout == TableLayout::kCompact;
  SummaryTable table;
  for (const auto& key : summary.keys) {
    table.columns.push_back({compact ? summary_short_name(key, "spec.") : key, key, false, SIZE_MAX});
  }
  if (compact) table.columns.push_back({"n", "runs in the group (status ok)", true, SIZE_MAX});
  std::vector<bool> referenced;
  for (size_t m = 0; m < summary.metrics.size(); ++m) {
    const std::string& metric = summary.metrics[m];
    table.columns.push_back({compact ? summary_short_name(metric, "final.") : metric + " (mean ± std [95% CI], n)",
                             metric, true, m});
    referenced.push_back(summary.has_reference(m));
    if (referenced.back()) {
      table.columns.push_back({"paper", metric + ": the spec's reference value", true, m});
      table.columns.push_back({"Δ/hw", metric + ": (mean - paper) / half-width of the 95% interval", true, m});
    }
  }
  for (const auto& group : summary.groups) {
    std::vector<std::string> row;
    for (const auto& v : group.key_values) row.push_back(compact ? cut_to_width(v, 28) : v);
    size_t n = 0;
    for (const auto& s : group.stats) n = std::max(n, s.n);
    if (compact) row.push_back(std::to_string(n));
    for (size_t m = 0; m < group.stats.size(); ++m) {
      const MetricStats& s = group.stats[m];
      std::string cell = stats_cell(s, style);
      if (compact && s.n != 0 && s.n != n) cell += " (n=" + std::to_string(s.n) + ")";
      row.push_back(cell);
      if (!referenced[m]) continue;
      const auto& reference = group.reference[m];
      row.push_back(reference ? reference_text(*reference) : "");
      const auto deviation = reference && s.n > 0 ? reference_deviation(s, *reference) : std::nullopt;
      row.push_back(deviation ? format_deviation(*deviation) : reference ? "-" : "");
    }
    table.rows.push_back(std::move(row));
  }
  if (compact && !summary.groups.empty()) {
    table.notes.push_back("mean ± std over the n runs of each group" +
                          std::string(style.precision == TablePrecision::kAuto
                                          ? ", rounded to the precision the std supports"
                                          : ""));
  }
  if (!summary.reference_sources.empty()) {
    table.notes.push_back("Δ/hw: (mean - paper) / half-width of the 95% interval of the mean (Student t); "
                          "|Δ/hw| > 1: the paper's value lies outside the interval");
    for (const auto& source : summary.reference_sources) table.notes.push_back("paper: " + source);
  }
  for (const auto& conflict : summary.reference_conflicts) {
    table.notes.push_back("no paper value shown for " + conflict + ": the runs' spec files disagree");
  }
  if (summary.skipped) {
    table.notes.push_back("(" + std::to_string(summary.skipped) + " run(s) without status ok left out)");
  }
  return table;
}

namespace {

std::string markdown_plain(const SummaryTable& table) {
  std::string out = "|";
  for (const auto& column : table.columns) out += " " + column.header + " |";
  out += "\n|";
  for (size_t i = 0; i < table.columns.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : table.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + cell + " |";
    out += "\n";
  }
  return out;
}

std::string summary_padded(const std::string& text, size_t width, bool right) {
  const size_t pad = width > display_width(text) ? width - display_width(text) : 0;
  return right ? std::string(pad, ' ') + text : text + std::string(pad, ' ');
}

// Aligned tables of the given columns, each row "| a | b |" exactly as wide as its header.
std::string markdown_aligned(const SummaryTable& table, const std::vector<size_t>& columns,
                             const std::vector<size_t>& widths) {
  std::string out = "|";
  for (const size_t c : columns) {
    out += " " + summary_padded(table.columns[c].header, widths[c], table.columns[c].numeric) + " |";
  }
  out += "\n|";
  for (const size_t c : columns) {
    out += table.columns[c].numeric ? std::string(widths[c] + 1, '-') + ":|" : std::string(widths[c] + 2, '-') + "|";
  }
  out += "\n";
  for (const auto& row : table.rows) {
    out += "|";
    for (const size_t c : columns) out += " " + summary_padded(row[c], widths[c], table.columns[c].numeric) + " |";
    out += "\n";
  }
  return out;
}

std::string markdown_compact(const SummaryTable& table, size_t width) {
  std::vector<size_t> widths(table.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c) {
    widths[c] = std::max<size_t>(3, display_width(table.columns[c].header));
    for (const auto& row : table.rows) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  // The key and n columns start every table; the metric columns (a metric with its paper and Δ/hw
  // columns stay together) fill tables up to `width`: "| " + cell + " " per column, and a final "|".
  std::vector<size_t> fixed;
  std::vector<std::vector<size_t>> units;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].metric == SIZE_MAX) {
      fixed.push_back(c);
    } else if (units.empty() || table.columns[units.back().front()].metric != table.columns[c].metric) {
      units.push_back({c});
    } else {
      units.back().push_back(c);
    }
  }
  const auto span = [&](const std::vector<size_t>& columns) {
    size_t total = 0;
    for (const size_t c : columns) total += widths[c] + 3;
    return total;
  };
  const size_t fixed_width = 1 + span(fixed);
  std::vector<std::vector<size_t>> tables;
  size_t used = fixed_width;
  for (const auto& unit : units) {
    if (tables.empty() || (used + span(unit) > width && tables.back().size() > fixed.size())) {
      tables.push_back(fixed);
      used = fixed_width;
    }
    tables.back().insert(tables.back().end(), unit.begin(), unit.end());
    used += span(unit);
  }
  if (tables.empty()) tables.push_back(fixed);
  std::string out;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (t) out += "\n";
    out += markdown_aligned(table, tables[t], widths);
  }
  return out;
}

}  // namespace

std::string format_markdown(const Summary& summary, const TableStyle& style) {
  const SummaryTable table = summary_table(summary, style);
  std::string out = style.layout == TableLayout::kCompact ? markdown_compact(table, style.width) : markdown_plain(table);
  if (!table.notes.empty()) out += "\n";
  for (const auto& note : table.notes) out += note + "\n";
  return out;
}

std::string format_csv(const Summary& summary) {
  std::string out;
  std::vector<std::string> header = summary.keys;
  for (size_t m = 0; m < summary.metrics.size(); ++m) {
    for (const char* suffix : {"_n", "_mean", "_std", "_ci95_low", "_ci95_high"}) {
      header.push_back(summary.metrics[m] + suffix);
    }
    if (summary.has_reference(m)) {
      header.push_back(summary.metrics[m] + "_paper");
      header.push_back(summary.metrics[m] + "_paper_dev");
    }
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
    for (size_t m = 0; m < group.stats.size(); ++m) {
      const MetricStats& s = group.stats[m];
      cells.push_back(std::to_string(s.n));
      for (const double v : {s.mean, s.std, s.mean - s.ci_half, s.mean + s.ci_half}) {
        cells.push_back(s.n ? format_full(v) : "");
      }
      if (summary.has_reference(m)) {
        const auto& reference = group.reference[m];
        const auto deviation = reference && s.n ? reference_deviation(s, *reference) : std::nullopt;
        cells.push_back(reference ? reference_text(*reference) : "");
        cells.push_back(deviation ? format_full(*deviation) : "");
      }
    }
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

}  // namespace wei
