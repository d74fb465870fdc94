#include "serve/trees/xgboost_trees.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>

namespace aimass::serve {
namespace {

using nlohmann::json;

// Beyond these the file is damaged rather than big: they bound what one model may allocate.
constexpr int64_t kMaxFeatures = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxGroups = 1 << 20;

std::unexpected<Error> Damaged(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument,
              "the XGBoost model is damaged: " + what + "; save it again with save_model");
}

std::unexpected<Error> NotCovered(const std::string& what) {
  return Fail(kNotCovered,
              "the compiled tree runtime does not cover " + what + "; use XGBoost's predictor");
}

Result<json> Parse(std::string_view bytes) {
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || bytes[first] != '{') {
    return Fail(ErrorCode::kInvalidArgument,
                "not an XGBoost model: give the UBJSON or JSON file that save_model writes");
  }
  // JSON text follows '{' with a key's quote, white space or '}'; UBJSON with a length's
  // type marker or an optimized container's '$' or '#'.
  const size_t next = bytes.find_first_not_of(" \t\r\n", first + 1);
  const bool text = next == std::string_view::npos || bytes[next] == '"' || bytes[next] == '}' ||
                    next != first + 1;
  try {
    return text ? json::parse(bytes.begin(), bytes.end())
                : json::from_ubjson(bytes.begin(), bytes.end());
  } catch (const json::exception& error) {
    return Fail(ErrorCode::kInvalidArgument, std::string("the XGBoost model's ") +
                                                 (text ? "JSON" : "UBJSON") +
                                                 " is damaged or cut short (" + error.what() +
                                                 "); save it again with save_model");
  } catch (const std::exception& error) {  // std::bad_alloc on a model too large to read
    return Fail(ErrorCode::kInternal,
                std::string("could not read the XGBoost model: ") + error.what());
  }
}

// `object`'s member `key`; `where` names `object` in messages ("learner").
Result<const json*> Member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object()) return Damaged(where + " is not an object");
  const auto it = object.find(key);
  if (it == object.end()) return Damaged(where + " has no '" + key + "'");
  return &*it;
}

// Model parameters are strings in the file ("5E-1"); a number is taken too.
Result<std::string> ParamText(const json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return Damaged(where + " is neither a string nor a number");
}

Result<int64_t> IntegerParam(const json& object, const char* key, const std::string& where) {
  AIMASS_ASSIGN_OR_RETURN(const json* value, Member(object, key, where));
  AIMASS_ASSIGN_OR_RETURN(const std::string text, ParamText(*value, where + "." + key));
  int64_t out = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Damaged(where + "." + key + " is '" + text + "', not a whole number");
  }
  return out;
}

// base_score: "5E-1", or "[5E-1]" as later XGBoost versions write it.
Result<float> BaseScore(const json& params) {
  AIMASS_ASSIGN_OR_RETURN(const json* value, Member(params, "base_score", "learner_model_param"));
  AIMASS_ASSIGN_OR_RETURN(std::string text, ParamText(*value, "learner_model_param.base_score"));
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.find(',') != std::string::npos) return NotCovered("a base_score per target");
  }
  float out = 0;
  // std::from_chars rounds correctly to float, as XGBoost's own reader does.
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Damaged("learner_model_param.base_score is '" + text + "', not a number");
  }
  return out;
}

// A numeric array of `size` values (`size` < 0: any), as T. UBJSON's typed arrays of uint8
// may arrive as binary.
template <typename T>
Result<std::vector<T>> ReadArray(const json& object, const char* key, const std::string& where,
                                 int64_t size) {
  AIMASS_ASSIGN_OR_RETURN(const json* value, Member(object, key, where));
  const std::string name = where + "." + key;
  std::vector<T> out;
  if (value->is_binary()) {
    for (const uint8_t byte : value->get_binary()) out.push_back(static_cast<T>(byte));
  } else if (value->is_array()) {
    out.reserve(value->size());
    for (const json& item : *value) {
      if constexpr (std::is_floating_point_v<T>) {
        if (!item.is_number()) return Damaged(name + " holds a value that is not a number");
        // Past float's range a cast is undefined; as float rounding would, it becomes inf.
        constexpr double kOverflow = 0x1.ffffffp127;  // FLT_MAX + half its last unit
        const double number = item.get<double>();
        out.push_back(std::abs(number) >= kOverflow
                          ? std::copysign(std::numeric_limits<T>::infinity(), number)
                          : static_cast<T>(number));
      } else {
        int64_t number = 0;
        if (item.is_boolean()) {
          number = item.get<bool>();
        } else if (item.is_number_integer()) {
          number = item.get<int64_t>();
        } else {
          return Damaged(name + " holds a value that is not a whole number");
        }
        if (number < std::numeric_limits<T>::min() || number > std::numeric_limits<T>::max()) {
          return Damaged(name + " holds " + std::to_string(number) + ", out of range");
        }
        out.push_back(static_cast<T>(number));
      }
    }
  } else {
    return Damaged(name + " is not an array");
  }
  if (size >= 0 && static_cast<int64_t>(out.size()) != size) {
    return Damaged(name + " has " + std::to_string(out.size()) + " values, expected " +
                   std::to_string(size));
  }
  return out;
}

Result<XgboostTree> ReadTree(const json& node, const std::string& where, int64_t num_features) {
  if (const auto it = node.find("tree_param"); it != node.end() && it->is_object()) {
    if (it->contains("size_leaf_vector")) {
      AIMASS_ASSIGN_OR_RETURN(const int64_t leaf_size,
                              IntegerParam(*it, "size_leaf_vector", where + ".tree_param"));
      if (leaf_size > 1) return NotCovered("trees with vector leaves (multi_output_tree)");
    }
  }
  if (const auto it = node.find("categories_nodes"); it != node.end() && !it->empty()) {
    return NotCovered("categorical splits");
  }
  if (node.is_object() && node.contains("split_type")) {
    AIMASS_ASSIGN_OR_RETURN(const auto types, ReadArray<int32_t>(node, "split_type", where, -1));
    for (const int32_t type : types) {
      if (type != 0) return NotCovered("categorical splits");
    }
  }
  XgboostTree tree;
  AIMASS_ASSIGN_OR_RETURN(tree.left_children, ReadArray<int32_t>(node, "left_children", where, -1));
  const int64_t size = static_cast<int64_t>(tree.left_children.size());
  if (size == 0) return Damaged(where + " has no nodes");
  AIMASS_ASSIGN_OR_RETURN(tree.right_children,
                          ReadArray<int32_t>(node, "right_children", where, size));
  // Split indexes are unsigned in XGBoost; int64 first so that a huge one is "out of range".
  AIMASS_ASSIGN_OR_RETURN(const auto indices,
                          ReadArray<int64_t>(node, "split_indices", where, size));
  AIMASS_ASSIGN_OR_RETURN(tree.split_conditions,
                          ReadArray<float>(node, "split_conditions", where, size));
  AIMASS_ASSIGN_OR_RETURN(tree.default_left, ReadArray<uint8_t>(node, "default_left", where, size));
  tree.split_indices.resize(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const int32_t left = tree.left_children[i];
    const int32_t right = tree.right_children[i];
    // XGBoost takes a node whose left child is -1 as a leaf, whatever its right child says.
    if (left == -1) continue;
    if (left < 0 || left >= size || right < 0 || right >= size) {
      return Damaged(where + " node " + std::to_string(i) + " has children " +
                     std::to_string(left) + " and " + std::to_string(right) + " of " +
                     std::to_string(size) + " nodes");
    }
    if (indices[i] < 0 || indices[i] >= num_features) {
      return Damaged(where + " node " + std::to_string(i) + " splits on feature " +
                     std::to_string(indices[i]) + " of " + std::to_string(num_features));
    }
    tree.split_indices[i] = static_cast<int32_t>(indices[i]);
  }
  return tree;
}

Status ReadBooster(const json& learner, int num_groups, XgboostTrees* out) {
  AIMASS_ASSIGN_OR_RETURN(const json* booster, Member(learner, "gradient_booster", "learner"));
  AIMASS_ASSIGN_OR_RETURN(const json* name, Member(*booster, "name", "gradient_booster"));
  if (!name->is_string()) return Damaged("gradient_booster.name is not a string");
  const std::string kind = name->get<std::string>();
  if (kind == "dart") return NotCovered("the dart booster (trees weighted by dropout)");
  if (kind == "gblinear") return NotCovered("the gblinear booster (a linear model)");
  if (kind != "gbtree") return NotCovered("the booster '" + kind + "'");
  AIMASS_ASSIGN_OR_RETURN(const json* model, Member(*booster, "model", "gradient_booster"));
  AIMASS_ASSIGN_OR_RETURN(const json* trees, Member(*model, "trees", "gradient_booster.model"));
  if (!trees->is_array()) return Damaged("gradient_booster.model.trees is not an array");
  AIMASS_ASSIGN_OR_RETURN(out->tree_groups,
                          ReadArray<int32_t>(*model, "tree_info", "gradient_booster.model",
                                             static_cast<int64_t>(trees->size())));
  for (size_t i = 0; i < out->tree_groups.size(); ++i) {
    if (out->tree_groups[i] < 0 || out->tree_groups[i] >= num_groups) {
      return Damaged("tree " + std::to_string(i) + " adds to output " +
                     std::to_string(out->tree_groups[i]) + " of " + std::to_string(num_groups));
    }
  }
  out->trees.reserve(trees->size());
  for (size_t i = 0; i < trees->size(); ++i) {
    AIMASS_ASSIGN_OR_RETURN(XgboostTree tree,
                            ReadTree((*trees)[i], "tree " + std::to_string(i), out->num_features));
    out->trees.push_back(std::move(tree));
  }
  return Ok();
}

}  // namespace

Result<XgboostTrees> ReadXgboostTrees(std::string_view model_bytes) {
  AIMASS_ASSIGN_OR_RETURN(const json document, Parse(model_bytes));
  AIMASS_ASSIGN_OR_RETURN(const json* learner, Member(document, "learner", "the model"));
  AIMASS_ASSIGN_OR_RETURN(const json* params, Member(*learner, "learner_model_param", "learner"));
  XgboostTrees out;
  AIMASS_ASSIGN_OR_RETURN(out.base_score, BaseScore(*params));
  AIMASS_ASSIGN_OR_RETURN(out.num_features,
                          IntegerParam(*params, "num_feature", "learner_model_param"));
  if (out.num_features < 0 || out.num_features > kMaxFeatures) {
    return Damaged("num_feature is " + std::to_string(out.num_features));
  }
  AIMASS_ASSIGN_OR_RETURN(const int64_t num_class,
                          IntegerParam(*params, "num_class", "learner_model_param"));
  if (num_class < 0 || num_class > kMaxGroups) {
    return Damaged("num_class is " + std::to_string(num_class));
  }
  out.num_groups = num_class > 0 ? static_cast<int>(num_class) : 1;
  if (params->contains("num_target")) {
    AIMASS_ASSIGN_OR_RETURN(const int64_t targets,
                            IntegerParam(*params, "num_target", "learner_model_param"));
    if (targets > 1) return NotCovered("models with several targets");
  }
  AIMASS_ASSIGN_OR_RETURN(const json* objective, Member(*learner, "objective", "learner"));
  AIMASS_ASSIGN_OR_RETURN(const json* objective_name, Member(*objective, "name", "objective"));
  if (!objective_name->is_string()) return Damaged("objective.name is not a string");
  out.objective = objective_name->get<std::string>();
  AIMASS_RETURN_IF_ERROR(ReadBooster(*learner, out.num_groups, &out));
  return out;
}

}  // namespace aimass::serve
