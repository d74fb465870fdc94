#include "serve/trees/compiled_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

namespace aimass::serve {
namespace {

using train::Task;

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Rows evaluated together: a block's rows walk one tree before the next tree is read. Rows
// (or trees) walked side by side, their positions in registers. Measured with bench_trees
// (500 trees of depth 6, 50 columns): 16 lanes beat 4, 8 and 32; blocks of 64 and 128 rows
// were alike, and 64 keeps a block of 100 columns in 25 KiB.
constexpr int64_t kBlockRows = 64;
constexpr int kLanes = 16;

// XGBoost 1.7.4's float formulas (src/common/math.h, src/objective/*), so that the results
// agree to the last bit rather than to a tolerance. Its Sigmoid caps exp's argument: a
// margin below -88.7 gives 3.0e-39, not 0.
float Sigmoid(float margin) {
  constexpr float kEpsilon = 1e-16f;
  return 1.0f / (std::exp(std::min(-margin, 88.7f)) + 1.0f + kEpsilon);
}

void Softmax(float* values, int count) {
  float largest = values[0];
  for (int i = 1; i < count; ++i) largest = std::fmax(values[i], largest);
  double sum = 0;
  for (int i = 0; i < count; ++i) {
    values[i] = std::exp(values[i] - largest);
    sum += values[i];
  }
  for (int i = 0; i < count; ++i) values[i] /= static_cast<float>(sum);
}

// kLanes rows of a block, starting at `block`, through one tree: every row takes `depth`
// steps (one that reaches a leaf early stays there); `leaves` gets where each ends.
template <typename Node>
inline void WalkRows(const Node* nodes, const float* block, int32_t root, int32_t depth,
                     int32_t* leaves) {
  int32_t at[kLanes];
  for (int l = 0; l < kLanes; ++l) at[l] = root;
  for (int32_t step = 0; step < depth; ++step) {
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) {
      const Node& node = nodes[at[l]];
      at[l] = node.left + (block[node.column + l] >= node.threshold);
    }
  }
  for (int l = 0; l < kLanes; ++l) leaves[l] = at[l];
}

// One row of a block, at `row`, through `lanes` trees side by side.
template <int lanes, typename Node, typename Tree>
inline void WalkTrees(const Node* nodes, const float* row, const Tree* trees, int32_t* leaves) {
  int32_t at[lanes];
  int32_t depth = 0;
  for (int l = 0; l < lanes; ++l) {
    at[l] = trees[l].root;
    depth = std::max(depth, trees[l].depth);
  }
  for (int32_t step = 0; step < depth; ++step) {
#pragma GCC unroll 16
    for (int l = 0; l < lanes; ++l) {
      const Node& node = nodes[at[l]];
      at[l] = node.left + (row[node.column] >= node.threshold);
    }
  }
  for (int l = 0; l < lanes; ++l) leaves[l] = at[l];
}

}  // namespace

// Lays the model's trees out in a forest's nodes_, trees_ and columns_.
class CompiledForest::Builder {
 public:
  explicit Builder(CompiledForest* forest) : forest_(forest) {}

  // Breadth-first from the root; a split's two children get adjacent indexes when the split
  // is reached, so nodes_ from the tree's root on is the queue, and `old_ids` maps back.
  Status AddTree(const XgboostTree& tree, int32_t group, size_t index) {
    std::vector<Node>& nodes = forest_->nodes_;
    const int32_t root = static_cast<int32_t>(nodes.size());
    std::vector<int32_t> old_ids = {0};
    std::vector<int32_t> depths = {0};
    std::vector<bool> reached(tree.left_children.size(), false);
    reached[0] = true;
    int32_t depth = 0;
    for (size_t at = 0; at < old_ids.size(); ++at) {
      const int32_t old_id = old_ids[at];
      const int32_t self = root + static_cast<int32_t>(at);
      if (tree.left_children[old_id] == -1) {
        nodes.push_back({-kInfinity, 0, self - 1, tree.split_conditions[old_id]});
        depth = std::max(depth, depths[at]);
        continue;
      }
      const float threshold = tree.split_conditions[old_id];
      // XGBoost goes right when !(value < threshold); this runtime when value >= threshold,
      // the same for every value but NaN, which the block replaces by +-inf. That holds for
      // every threshold but -inf and NaN, which XGBoost never writes.
      if (threshold == -kInfinity || std::isnan(threshold)) {
        return Fail(kNotCovered, "the compiled tree runtime does not cover tree " +
                                     std::to_string(index) + "'s split on a threshold of " +
                                     std::to_string(threshold) + "; use XGBoost's predictor");
      }
      const int32_t left = root + static_cast<int32_t>(old_ids.size());
      AIMASS_ASSIGN_OR_RETURN(const int32_t column,
                              Column(tree.split_indices[old_id],
                                     tree.default_left[old_id] != 0 ? -kInfinity : kInfinity));
      nodes.push_back({threshold, column, left, 0.0f});
      for (const int32_t child : {tree.left_children[old_id], tree.right_children[old_id]}) {
        if (reached[child]) {
          return Fail(ErrorCode::kInvalidArgument, "the XGBoost model is damaged: tree " +
                                                       std::to_string(index) + " reaches node " +
                                                       std::to_string(child) +
                                                       " twice; save it again with save_model");
        }
        reached[child] = true;
        old_ids.push_back(child);
        depths.push_back(depths[at] + 1);
      }
    }
    forest_->trees_.push_back({root, depth, group});
    return Ok();
  }

 private:
  // Where the block column for `feature` with `missing` standing in for NaN starts.
  Result<int32_t> Column(int32_t feature, float missing) {
    const int64_t key = 2 * static_cast<int64_t>(feature) + (missing > 0);
    std::vector<BlockColumn>& columns = forest_->columns_;
    const auto [it, added] = index_.try_emplace(key, static_cast<int64_t>(columns.size()));
    if (added) {
      if ((it->second + 1) * kBlockRows > std::numeric_limits<int32_t>::max()) {
        return Fail(kNotCovered,
                    "the model splits on more columns than the compiled runtime "
                    "indexes; use XGBoost's predictor");
      }
      columns.push_back({feature, missing});
    }
    return static_cast<int32_t>(it->second * kBlockRows);
  }

  CompiledForest* forest_;
  std::unordered_map<int64_t, int64_t> index_;  // 2 x feature + (missing goes right) → column
};

Result<std::unique_ptr<CompiledForest>> CompiledForest::Compile(std::string_view model_bytes,
                                                                Task task, int num_classes) {
  AIMASS_ASSIGN_OR_RETURN(const XgboostTrees model, ReadXgboostTrees(model_bytes));
  std::unique_ptr<CompiledForest> forest(new CompiledForest());
  AIMASS_RETURN_IF_ERROR(forest->SetObjective(model, task, num_classes));
  size_t nodes = 0;
  for (const XgboostTree& tree : model.trees) nodes += tree.left_children.size();
  if (nodes >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Fail(kNotCovered, "the model has " + std::to_string(nodes) +
                                 " tree nodes, more than the compiled runtime indexes; use "
                                 "XGBoost's predictor");
  }
  forest->nodes_.reserve(nodes);
  forest->trees_.reserve(model.trees.size());
  Builder builder(forest.get());
  for (size_t i = 0; i < model.trees.size(); ++i) {
    AIMASS_RETURN_IF_ERROR(builder.AddTree(model.trees[i], model.tree_groups[i], i));
  }
  return forest;
}

Status CompiledForest::SetObjective(const XgboostTrees& model, Task task, int num_classes) {
  const std::string& objective = model.objective;
  const std::string wanted = std::string(train::TaskName(task)) + " task";
  auto mismatch = [&](const std::string& needs) {
    return Fail(ErrorCode::kInvalidArgument, "the XGBoost model's objective is '" + objective +
                                                 "'; a " + wanted + " needs " + needs);
  };
  switch (task) {
    case Task::kBinary:
      if (objective != "binary:logistic") return mismatch("binary:logistic");
      break;
    case Task::kMulticlass:
      if (objective != "multi:softprob" && objective != "multi:softmax") {
        return mismatch("multi:softprob (or multi:softmax)");
      }
      if (model.num_groups != num_classes) {
        return Fail(ErrorCode::kInvalidArgument,
                    "the XGBoost model predicts " + std::to_string(model.num_groups) +
                        " classes, the task has " + std::to_string(num_classes));
      }
      break;
    case Task::kRegression:
      if (!objective.starts_with("reg:") && objective != "count:poisson") {
        return mismatch("a reg:* objective or count:poisson");
      }
      break;
  }
  if (task != Task::kMulticlass && model.num_groups != 1) {
    return Fail(ErrorCode::kInvalidArgument, "the XGBoost model has num_class " +
                                                 std::to_string(model.num_groups) + "; a " +
                                                 wanted + " needs one output");
  }
  // The link each objective's PredTransform applies; ProbToMargin is its inverse.
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    link_ = Link::kLogistic;
  } else if (objective == "multi:softprob" || objective == "multi:softmax") {
    link_ = Link::kSoftmax;
  } else if (objective == "count:poisson" || objective == "reg:gamma" ||
             objective == "reg:tweedie") {
    link_ = Link::kExp;
  } else if (objective == "reg:squarederror" || objective == "reg:linear" ||
             objective == "reg:squaredlogerror" || objective == "reg:pseudohubererror" ||
             objective == "reg:absoluteerror") {
    link_ = Link::kIdentity;
  } else {
    return Fail(kNotCovered, "the compiled tree runtime does not cover the objective '" +
                                 objective + "'; use XGBoost's predictor");
  }
  const float base = model.base_score;
  auto bad_base = [&](const char* range) {
    return Fail(ErrorCode::kInvalidArgument, "the XGBoost model's base_score is " +
                                                 std::to_string(base) + "; " + objective +
                                                 " needs one " + range);
  };
  switch (link_) {
    case Link::kLogistic:
      if (!(base > 0.0f && base < 1.0f)) return bad_base("in (0, 1)");
      base_margin_ = -std::log(1.0f / base - 1.0f);
      break;
    case Link::kExp:
      if (!(base > 0.0f)) return bad_base("above 0");
      base_margin_ = std::log(base);
      break;
    case Link::kIdentity:
    case Link::kSoftmax:
      base_margin_ = base;
      break;
  }
  task_ = task;
  num_classes_ = num_classes;
  num_features_ = model.num_features;
  num_groups_ = model.num_groups;
  return Ok();
}

int CompiledForest::OutputWidth() const {
  return train::OutputWidthOf(task_, num_classes_);
}

Status CompiledForest::CheckFeatures(const train::Matrix& features) const {
  if (features.cols != num_features_) {
    return Fail(ErrorCode::kInvalidArgument,
                "the features have " + std::to_string(features.cols) + " columns, the model " +
                    std::to_string(num_features_) + "; give the columns the model was trained on");
  }
  if (features.rows < 0 ||
      features.values.size() != static_cast<size_t>(features.rows * features.cols)) {
    return Fail(ErrorCode::kInvalidArgument,
                "the feature matrix holds " + std::to_string(features.values.size()) +
                    " values, not rows x columns = " + std::to_string(features.rows) + " x " +
                    std::to_string(features.cols));
  }
  return Ok();
}

void CompiledForest::FillBlock(const float* rows, int64_t count, float* block) const {
  for (const BlockColumn& column : columns_) {
    const float* value = rows + column.feature;
    for (int64_t r = 0; r < count; ++r, value += num_features_) {
      block[r] = std::isnan(*value) ? column.missing : *value;
    }
    block += kBlockRows;
  }
}

void CompiledForest::AddTrees(const float* block, int64_t count, float* margins) const {
  const Node* nodes = nodes_.data();
  int32_t leaves[std::max<int64_t>(kBlockRows, kLanes)];
  // Rows by kLanes through each tree in turn.
  const int64_t grouped = count - count % kLanes;
  for (const Tree& tree : trees_) {
    if (grouped == 0) break;
    for (int64_t r = 0; r < grouped; r += kLanes) {
      WalkRows(nodes, block + r, tree.root, tree.depth, leaves + r);
    }
    for (int64_t r = 0; r < grouped; ++r) {
      margins[r * num_groups_ + tree.group] += nodes[leaves[r]].leaf_value;
    }
  }
  // The rest one by one, through kLanes trees at a time; each row's sum still adds the trees
  // in order.
  const size_t trees = trees_.size();
  for (int64_t r = grouped; r < count; ++r) {
    float* row_margins = margins + r * num_groups_;
    size_t t = 0;
    for (; t + kLanes <= trees; t += kLanes) {
      WalkTrees<kLanes>(nodes, block + r, trees_.data() + t, leaves);
      for (int l = 0; l < kLanes; ++l) {
        row_margins[trees_[t + l].group] += nodes[leaves[l]].leaf_value;
      }
    }
    for (; t < trees; ++t) {
      WalkTrees<1>(nodes, block + r, trees_.data() + t, leaves);
      row_margins[trees_[t].group] += nodes[leaves[0]].leaf_value;
    }
  }
}

Result<std::vector<float>> CompiledForest::PredictMargin(const train::Matrix& features) const {
  AIMASS_RETURN_IF_ERROR(CheckFeatures(features));
  std::vector<float> margins(static_cast<size_t>(features.rows) * num_groups_, base_margin_);
  // Not zeroed: FillBlock writes every value AddTrees reads.
  const auto block =
      std::make_unique_for_overwrite<float[]>(std::max<size_t>(columns_.size(), 1) * kBlockRows);
  for (int64_t start = 0; start < features.rows; start += kBlockRows) {
    const int64_t count = std::min(kBlockRows, features.rows - start);
    FillBlock(features.values.data() + start * features.cols, count, block.get());
    AddTrees(block.get(), count, margins.data() + start * num_groups_);
  }
  return margins;
}

Result<std::vector<double>> CompiledForest::Predict(const train::Matrix& features) const {
  AIMASS_ASSIGN_OR_RETURN(std::vector<float> margins, PredictMargin(features));
  const size_t rows = static_cast<size_t>(features.rows);
  std::vector<double> out;
  switch (link_) {
    case Link::kIdentity:
      out.assign(margins.begin(), margins.end());
      break;
    case Link::kExp:
      out.reserve(rows);
      for (const float margin : margins) out.push_back(std::exp(margin));
      break;
    case Link::kLogistic:
      out.reserve(task_ == Task::kBinary ? 2 * rows : rows);
      for (const float margin : margins) {
        const double p = Sigmoid(margin);
        if (task_ == Task::kBinary) out.push_back(1.0 - p);
        out.push_back(p);
      }
      break;
    case Link::kSoftmax: {
      const size_t width = static_cast<size_t>(num_groups_);
      out.resize(margins.size());
      for (size_t i = 0; i < rows; ++i) {
        float* row = margins.data() + i * width;
        Softmax(row, num_groups_);
        // As BoostedModel::Predict: XGBoost's float softmax renormalised in double.
        double sum = 0;
        for (size_t c = 0; c < width; ++c) sum += row[c];
        for (size_t c = 0; c < width; ++c) out[i * width + c] = sum > 0 ? row[c] / sum : row[c];
      }
      break;
    }
  }
  return out;
}

train::Matrix CompiledForest::ProbeRows(int64_t rows, uint64_t seed) const {
  std::vector<std::vector<float>> thresholds(static_cast<size_t>(num_features_));
  for (size_t i = 0; i < nodes_.size(); ++i) {
    // A split's children come after it; a leaf's "left" is just before it.
    if (nodes_[i].left > static_cast<int32_t>(i)) {
      const BlockColumn& column = columns_[nodes_[i].column / kBlockRows];
      thresholds[column.feature].push_back(nodes_[i].threshold);
    }
  }
  std::mt19937_64 random(seed);
  train::Matrix out{rows, num_features_, {}};
  out.values.reserve(static_cast<size_t>(rows * num_features_));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < num_features_; ++c) {
      const std::vector<float>& column = thresholds[c];
      const uint64_t pick = random();
      if (column.empty() || pick % 8 == 0) {
        out.values.push_back(column.empty() && pick % 2 ? 0.0f
                                                        : std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      const float threshold = column[(pick >> 8) % column.size()];
      out.values.push_back(pick % 2 ? threshold : std::nextafter(threshold, -kInfinity));
    }
  }
  return out;
}

}  // namespace aimass::serve
