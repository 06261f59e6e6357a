#include "sweep/sweep_plan.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "base/errors.h"
#include "spec/param_schema.h"

namespace wei {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> expand_range(const std::smatch& m, const std::string& origin) {
  const std::string start_text = m[1], stop_text = m[2], step_text = m[3].matched ? m[4].str() : "1";
  const bool integral = start_text.find_first_of(".eE") == std::string::npos &&
                        stop_text.find_first_of(".eE") == std::string::npos &&
                        step_text.find_first_of(".eE") == std::string::npos;
  const double start = std::stod(start_text), stop = std::stod(stop_text), step = std::stod(step_text);
  if (step == 0 || (stop - start) / step < 0) {
    throw InputError(origin + ": range(" + start_text + ", " + stop_text + ", " + step_text + ") is empty");
  }
  const auto count = static_cast<int64_t>(std::ceil((stop - start) / step - 1e-9));
  if (count > 100000) throw InputError(origin + ": range has more than 100000 values");
  std::vector<std::string> values;
  for (int64_t i = 0; i < count; ++i) {
    const double v = start + static_cast<double>(i) * step;
    values.push_back(integral ? std::to_string(static_cast<int64_t>(std::llround(v))) : param_value_text(ParamValue(v)));
  }
  return values;
}

SweepMode parse_mode(const std::string& text, const std::string& origin) {
  if (text == "grid") return SweepMode::kGrid;
  if (text == "zip") return SweepMode::kZip;
  throw InputError(origin + ": sweep mode '" + text + "' must be grid or zip");
}

std::string mark_text(const std::string& path, const YAML::Node& node) {
  return path + ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
}

SlurmOptions read_slurm_block(const std::string& spec_path, const YAML::Node& block) {
  if (!block.IsMap()) throw InputError(mark_text(spec_path, block) + ": sweep.slurm: expected a map");
  SlurmOptions slurm;
  for (const auto& item : block) {
    const std::string key = item.first.Scalar();
    const std::string origin = mark_text(spec_path, item.second) + ": sweep.slurm." + key;
    const auto as_count = [&] {
      int v = 0;
      if (!YAML::convert<int>::decode(item.second, v) || v < 1) throw InputError(origin + ": expected an integer >= 1");
      return v;
    };
    if (key == "partition") {
      slurm.partition = item.second.Scalar();
    } else if (key == "time") {
      slurm.time = item.second.Scalar();
    } else if (key == "cpus") {
      slurm.cpus_per_task = as_count();
    } else if (key == "gpus") {
      slurm.gpus = item.second.Scalar();
    } else if (key == "mem") {
      slurm.mem = item.second.Scalar();
    } else if (key == "max_parallel") {
      slurm.max_parallel = as_count();
    } else if (key == "tasks") {
      slurm.tasks = as_count();
    } else {
      throw InputError(mark_text(spec_path, item.first) + ": sweep.slurm." + key +
                       ": unknown key (known: partition, time, cpus, gpus, mem, max_parallel, tasks)");
    }
  }
  return slurm;
}

// The spec file's sweep block, as axes; mode and slurm defaults written out when given.
std::vector<SweepAxis> read_sweep_block(const std::string& spec_path, std::string& mode, SlurmOptions& slurm) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(spec_path);
  } catch (const YAML::BadFile&) {
    throw InputError(spec_path + ": cannot read spec file (no such file)");
  } catch (const YAML::ParserException&) {
    return {};  // the spec loader reports syntax errors with their position
  }
  if (!root.IsMap() || !root["sweep"]) return {};
  const YAML::Node block = root["sweep"];
  if (!block.IsMap()) throw InputError(mark_text(spec_path, block) + ": sweep: expected a map with mode and params");
  std::vector<SweepAxis> axes;
  for (const auto& item : block) {
    const std::string key = item.first.Scalar();
    if (key == "mode") {
      mode = item.second.Scalar();
      parse_mode(mode, mark_text(spec_path, item.second) + ": sweep.mode");
    } else if (key == "params") {
      if (!item.second.IsMap()) {
        throw InputError(mark_text(spec_path, item.second) + ": sweep.params: expected a map of key: [values]");
      }
      for (const auto& param : item.second) {
        const std::string origin = mark_text(spec_path, param.second) + ": sweep.params." + param.first.Scalar();
        SweepAxis axis{param.first.Scalar(), {}};
        if (param.second.IsSequence()) {
          for (const auto& v : param.second) {
            YAML::Emitter out;
            out << YAML::Flow << v;
            axis.values.push_back(out.c_str());
          }
        } else if (param.second.IsScalar()) {
          axis.values = parse_axis_values(param.second.Scalar(), origin);
        } else {
          throw InputError(origin + ": expected a list of values or range(start, stop[, step])");
        }
        if (axis.values.empty()) throw InputError(origin + ": no values");
        axes.push_back(std::move(axis));
      }
    } else if (key == "slurm") {
      slurm = read_slurm_block(spec_path, item.second);
    } else {
      throw InputError(mark_text(spec_path, item.first) + ": sweep." + key + ": unknown key (known: mode, params, slurm)");
    }
  }
  return axes;
}

}  // namespace

SlurmOptions SlurmOptions::merged_over(const SlurmOptions& defaults) const {
  SlurmOptions out = *this;
  if (out.partition.empty()) out.partition = defaults.partition;
  if (out.time.empty()) out.time = defaults.time;
  if (out.cpus_per_task == 0) out.cpus_per_task = defaults.cpus_per_task;
  if (out.gpus.empty()) out.gpus = defaults.gpus;
  if (out.mem.empty()) out.mem = defaults.mem;
  if (out.max_parallel == 0) out.max_parallel = defaults.max_parallel;
  if (out.tasks == 0) out.tasks = defaults.tasks;
  return out;
}

std::vector<std::string> parse_axis_values(const std::string& text, const std::string& origin) {
  static const std::regex kRange(R"(\s*range\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*(,\s*([-+0-9.eE]+)\s*)?\)\s*)");
  std::smatch m;
  if (std::regex_match(text, m, kRange)) return expand_range(m, origin);
  std::vector<std::string> values;
  int depth = 0;
  std::string current;
  for (const char c : text) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      values.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  values.push_back(trim(current));
  if (depth != 0) throw InputError(origin + ": unbalanced brackets in '" + text + "'");
  for (const auto& v : values) {
    if (v.empty()) throw InputError(origin + ": empty value in '" + text + "'");
  }
  return values;
}

std::string point_dir_name(const std::vector<std::pair<std::string, std::string>>& assignment) {
  if (assignment.empty()) return "base";
  std::string name;
  for (const auto& [path, value] : assignment) {
    if (!name.empty()) name += ",";
    name += path + "=" + value;
  }
  for (char& c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '=' || c == ',' || c == '-' || c == '+' ||
          c == '_')) {
      c = '_';
    }
  }
  return name;
}

std::vector<SweepPoint> expand_points(SweepMode mode, const std::vector<SweepAxis>& axes,
                                      const std::vector<std::string>& fixed_overrides) {
  std::vector<std::vector<std::pair<std::string, std::string>>> assignments;
  if (axes.empty()) {
    assignments.emplace_back();
  } else if (mode == SweepMode::kZip) {
    const size_t n = axes.front().values.size();
    for (const auto& axis : axes) {
      if (axis.values.size() != n) {
        throw InputError("zip sweep: axis '" + axis.path + "' has " + std::to_string(axis.values.size()) +
                         " values but '" + axes.front().path + "' has " + std::to_string(n));
      }
    }
    for (size_t i = 0; i < n; ++i) {
      std::vector<std::pair<std::string, std::string>> a;
      for (const auto& axis : axes) a.emplace_back(axis.path, axis.values[i]);
      assignments.push_back(std::move(a));
    }
  } else {
    assignments.emplace_back();
    for (const auto& axis : axes) {  // the last axis varies fastest
      std::vector<std::vector<std::pair<std::string, std::string>>> next;
      for (const auto& partial : assignments) {
        for (const auto& value : axis.values) {
          auto a = partial;
          a.emplace_back(axis.path, value);
          next.push_back(std::move(a));
        }
      }
      assignments = std::move(next);
    }
  }
  std::vector<SweepPoint> points;
  std::set<std::string> names;
  for (const auto& a : assignments) {
    SweepPoint point;
    point.index = points.size();
    point.overrides = fixed_overrides;
    for (const auto& [path, value] : a) point.overrides.push_back(path + "=" + value);
    point.dir_name = point_dir_name(a);
    if (!names.insert(point.dir_name).second) point.dir_name += "_" + std::to_string(point.index);
    points.push_back(std::move(point));
  }
  return points;
}

SweepPlan make_sweep_plan(const std::string& spec_path, const std::vector<std::string>& args,
                          const std::string& mode_override, size_t max_points) {
  SweepPlan plan;
  std::string block_mode;
  plan.axes = read_sweep_block(spec_path, block_mode, plan.slurm);
  std::set<std::string> seen;
  for (const auto& axis : plan.axes) seen.insert(axis.path);
  for (const auto& arg : args) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("argument '" + arg + "': expected key=value, key=v1,v2 or key=range(start, stop)");
    }
    const std::string path = arg.substr(0, eq);
    const auto values = parse_axis_values(arg.substr(eq + 1), "argument '" + arg + "'");
    if (values.size() == 1) {
      plan.fixed_overrides.push_back(path + "=" + values.front());
      continue;
    }
    if (!seen.insert(path).second) throw InputError("argument '" + arg + "': '" + path + "' is swept twice");
    plan.axes.push_back(SweepAxis{path, values});
  }
  const std::string mode = !mode_override.empty() ? mode_override : !block_mode.empty() ? block_mode : "grid";
  plan.mode = parse_mode(mode, "--mode");
  // Counted before anything is expanded: a grid of 1e10 points is refused, not built.
  double points = plan.axes.empty() ? 1 : plan.mode == SweepMode::kZip ? static_cast<double>(plan.axes.front().values.size()) : 1;
  if (plan.mode == SweepMode::kGrid) {
    for (const auto& axis : plan.axes) points *= static_cast<double>(axis.values.size());
  }
  if (points > static_cast<double>(max_points)) {
    char count[32];
    std::snprintf(count, sizeof(count), "%.0f", points);
    throw InputError(spec_path + ": the sweep has " + count + " points, more than the limit of " +
                     std::to_string(max_points) + "; pass --max-points N to allow more");
  }
  plan.points = expand_points(plan.mode, plan.axes, plan.fixed_overrides);
  return plan;
}

}  // namespace wei
