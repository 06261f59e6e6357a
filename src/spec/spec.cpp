#include "spec/spec.h"

#include <stdexcept>

namespace wei {

namespace {

// Sections in order of first appearance, each holding leaves and subsections in declaration order.
struct YamlTree {
  std::vector<std::pair<std::string, std::string>> entries;  // (key, "" for a section | value text)
  std::map<std::string, YamlTree> sections;
};

void insert_yaml(YamlTree& tree, const std::string& path, const std::string& text) {
  const size_t dot = path.find('.');
  if (dot == std::string::npos) {
    tree.entries.emplace_back(path, text);
    return;
  }
  const std::string head = path.substr(0, dot);
  if (!tree.sections.count(head)) tree.entries.emplace_back(head, "");
  insert_yaml(tree.sections[head], path.substr(dot + 1), text);
}

void emit_yaml(const YamlTree& tree, int indent, std::string& out) {
  for (const auto& [key, text] : tree.entries) {
    out += std::string(indent, ' ') + key + ":";
    if (text.empty()) {
      out += "\n";
      emit_yaml(tree.sections.at(key), indent + 2, out);
    } else {
      out += " " + text + "\n";
    }
  }
}

nlohmann::ordered_json value_json(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, value);
}

}  // namespace

Spec::Spec(ParamSchema schema, std::map<std::string, ParamValue> values, std::string source,
           std::vector<std::string> warnings)
    : schema_(std::move(schema)), values_(std::move(values)), source_(std::move(source)), warnings_(std::move(warnings)) {
  for (const auto& def : schema_.params()) {
    if (!values_.count(def.path)) throw std::logic_error("spec has no value for '" + def.path + "'");
  }
}

const ParamValue& Spec::value(const std::string& path) const {
  const auto it = values_.find(path);
  if (it == values_.end()) throw std::logic_error("spec key '" + path + "' is not declared");
  return it->second;
}

namespace {
template <typename T>
const T& typed(const ParamValue& value, const std::string& path) {
  if (const T* v = std::get_if<T>(&value)) return *v;
  throw std::logic_error("spec key '" + path + "' read with the wrong type");
}
}  // namespace

int64_t Spec::get_int(const std::string& path) const { return typed<int64_t>(value(path), path); }
double Spec::get_float(const std::string& path) const { return typed<double>(value(path), path); }
bool Spec::get_bool(const std::string& path) const { return typed<bool>(value(path), path); }
const std::string& Spec::get_string(const std::string& path) const { return typed<std::string>(value(path), path); }
const std::vector<int64_t>& Spec::get_int_list(const std::string& path) const {
  return typed<std::vector<int64_t>>(value(path), path);
}
const std::vector<double>& Spec::get_float_list(const std::string& path) const {
  return typed<std::vector<double>>(value(path), path);
}
const std::vector<std::string>& Spec::get_string_list(const std::string& path) const {
  return typed<std::vector<std::string>>(value(path), path);
}

nlohmann::ordered_json Spec::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& def : schema_.params()) {
    nlohmann::ordered_json* node = &out;
    size_t start = 0;
    for (size_t dot = def.path.find('.'); dot != std::string::npos; dot = def.path.find('.', start)) {
      node = &(*node)[def.path.substr(start, dot - start)];
      start = dot + 1;
    }
    (*node)[def.path.substr(start)] = value_json(values_.at(def.path));
  }
  return out;
}

std::string Spec::to_yaml() const {
  YamlTree tree;
  for (const auto& def : schema_.params()) insert_yaml(tree, def.path, param_value_text(values_.at(def.path)));
  std::string out;
  emit_yaml(tree, 0, out);
  return out;
}

}  // namespace wei
