#include "results/threshold_crossing.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/errors.h"
#include "results/summary.h"

namespace wei {

using json = nlohmann::ordered_json;

namespace {

// The spec without the key `key` ("spec.data.n" removes data.n, leaving data's other keys).
json without(json spec, const std::string& key) {
  std::string pointer = "/" + key.substr(5);  // after "spec."
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  const json::json_pointer at(pointer);
  if (spec.contains(at)) spec.at(at.parent_pointer()).erase(at.back());
  return spec;
}

bool reached(double y, const CrossingOptions& o) { return o.decreasing ? y <= o.at : y >= o.at; }

}  // namespace

CrossingPoint crossing_of(const std::vector<std::pair<double, double>>& points, const CrossingOptions& options) {
  for (size_t j = 0; j < points.size(); ++j) {
    if (!reached(points[j].second, options)) continue;
    if (j == 0) return {std::nullopt, true};
    const auto [x0, y0] = points[j - 1];
    const auto [x1, y1] = points[j];
    const double t = (options.at - y0) / (y1 - y0);
    return {std::pow(10.0, std::log10(x0) + t * (std::log10(x1) - std::log10(x0))), false};
  }
  return {std::nullopt, false};
}

std::vector<RunRecord> crossing_records(const std::vector<RunRecord>& runs, const CrossingOptions& options) {
  if (options.x.rfind("spec.", 0) != 0) throw InputError("--x '" + options.x + "' must be a spec key (spec.<key>)");
  // Replicates in order of first appearance, keyed by the spec without x.
  std::vector<std::string> order;
  std::map<std::string, std::pair<json, std::vector<std::pair<double, double>>>> replicates;
  bool any_x = false, any_y = false;
  for (const auto& run : runs) {
    if (run.metrics.value("status", "") != "ok" || !run.metrics.contains("spec")) continue;
    const auto x = value_at(run.metrics, options.x);
    const auto y = value_at(run.metrics, options.y);
    any_x = any_x || (x && x->is_number());
    any_y = any_y || (y && y->is_number());
    if (!x || !x->is_number() || !y || !y->is_number() || x->get<double>() <= 0) continue;
    json rest = without(run.metrics["spec"], options.x);
    const std::string key = rest.dump();
    auto [it, fresh] = replicates.try_emplace(key, rest, std::vector<std::pair<double, double>>{});
    if (fresh) order.push_back(key);
    it->second.second.emplace_back(x->get<double>(), y->get<double>());
  }
  if (!any_x) throw InputError("threshold: no run has a positive number at " + options.x);
  if (!any_y) throw InputError("threshold: no run has a number at " + options.y);

  std::vector<RunRecord> out;
  for (const auto& key : order) {
    auto& [spec, points] = replicates.at(key);
    std::sort(points.begin(), points.end());
    const CrossingPoint c = crossing_of(points, options);
    json final = {{"reached", c.x_star || c.censored_below ? 1 : 0},
                  {"censored_below", c.censored_below ? 1 : 0},
                  {"grid_points", points.size()}};
    if (c.x_star) {
      final["x_star"] = *c.x_star;
      final["log10_x_star"] = std::log10(*c.x_star);
    }
    out.push_back({"", json{{"status", "ok"}, {"spec", spec}, {"final", final}}, std::nullopt});
  }
  return out;
}

std::vector<PowerLawFit> fit_power_laws(const std::vector<RunRecord>& records, const std::string& along,
                                        const std::vector<std::string>& group_by) {
  std::vector<std::vector<std::string>> order;
  std::map<std::vector<std::string>, std::vector<std::pair<double, double>>> groups;
  for (const auto& record : records) {
    std::vector<std::string> values;
    for (const auto& key : group_by) {
      const auto v = value_at(record.metrics, key);
      values.push_back(v ? value_text(*v) : "-");
    }
    auto [it, fresh] = groups.try_emplace(values);
    if (fresh) order.push_back(values);
    const auto v = value_at(record.metrics, along);
    const auto y = value_at(record.metrics, "final.log10_x_star");
    if (v && v->is_number() && v->get<double>() > 0 && y) it->second.emplace_back(std::log10(v->get<double>()), y->get<double>());
  }
  std::sort(order.begin(), order.end(), key_values_less);
  std::vector<PowerLawFit> fits;
  for (const auto& values : order) {
    const auto& p = groups.at(values);
    PowerLawFit fit{values, p.size(), 0, std::nullopt, std::nullopt};
    std::vector<double> xs;
    for (const auto& [x, y] : p) xs.push_back(x);
    std::sort(xs.begin(), xs.end());
    fit.distinct = static_cast<size_t>(std::unique(xs.begin(), xs.end()) - xs.begin());
    if (fit.distinct >= 2) {
      double mx = 0, my = 0;
      for (const auto& [x, y] : p) { mx += x; my += y; }
      mx /= static_cast<double>(p.size());
      my /= static_cast<double>(p.size());
      double sxx = 0, sxy = 0;
      for (const auto& [x, y] : p) { sxx += (x - mx) * (x - mx); sxy += (x - mx) * (y - my); }
      fit.slope = sxy / sxx;
      if (p.size() >= 3) {
        double residual = 0;
        for (const auto& [x, y] : p) residual += std::pow(y - my - *fit.slope * (x - mx), 2);
        const double se = std::sqrt(residual / static_cast<double>(p.size() - 2) / sxx);
        fit.ci_half = t_quantile_975(p.size() - 2) * se;
      }
    }
    fits.push_back(std::move(fit));
  }
  return fits;
}

}  // namespace wei
