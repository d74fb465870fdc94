// A tree ensemble from an XGBoost model compiled into flat arrays for fast prediction: all
// trees' nodes in breadth-first order in one vector, rows evaluated in blocks, each block
// copied column by column and walked tree by tree so that a tree's nodes and the block stay
// in cache, sixteen rows (or, for the last few rows, sixteen trees) at a time so that their
// loads overlap. Its numbers are XGBoost's own: leaf values summed in float per output in
// tree order from the base margin, then the objective's link in float, as XGBoost 1.7.4
// computes them (equal to the last bit in the tests).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "serve/trees/xgboost_trees.h"
#include "train/matrix.h"
#include "train/task.h"

namespace aimass::serve {

// Immutable after Compile; Predict, PredictMargin and ProbeRows may run concurrently from any
// number of threads.
class CompiledForest {
 public:
  // Compiles an XGBoost 1.x gbtree model file (UBJSON or JSON) whose objective answers
  // `task` as BoostedModel requires (binary:logistic; multi:softprob or multi:softmax with
  // `num_classes` classes; reg:* or count:poisson). kNotCovered (see xgboost_trees.h) for a
  // valid model this runtime does not cover, e.g. dart, gblinear, categorical splits or an
  // objective with another link; kInvalidArgument for a damaged file or a task mismatch.
  static Result<std::unique_ptr<CompiledForest>> Compile(std::string_view model_bytes,
                                                         train::Task task, int num_classes);

  // rows x OutputWidth() values with the meaning of train::TrainedModel::Predict: every
  // class's probability (binary: [1 - p, p]) or the predicted number. NaN is a missing value.
  Result<std::vector<double>> Predict(const train::Matrix& features) const;
  // rows x num_groups() raw sums in margin space, as XGBoost's output_margin gives them.
  Result<std::vector<float>> PredictMargin(const train::Matrix& features) const;

  // Rows that test the compiled form against the original model: each value is one of the
  // model's own thresholds for that column (which goes right), the float just below one
  // (goes left), or missing, so the rows take many different paths.
  train::Matrix ProbeRows(int64_t rows, uint64_t seed) const;

  int OutputWidth() const;
  int64_t num_features() const { return num_features_; }
  int num_groups() const { return num_groups_; }
  size_t num_trees() const { return trees_.size(); }
  size_t num_nodes() const { return nodes_.size(); }

 private:
  // What turns a margin into a prediction, as the objective's PredTransform does.
  enum class Link { kIdentity, kLogistic, kSoftmax, kExp };

  // A split, or a leaf that leads back to itself (threshold -inf, left = its own index - 1),
  // so that every row can take the same number of steps through a tree.
  struct Node {
    float threshold;   // a value goes right when value >= threshold
    int32_t column;    // where the split's block column starts in a block (0 at a leaf)
    int32_t left;      // the left child's index in nodes_; the right child is left + 1
    float leaf_value;  // 0 at a split
  };
  struct Tree {
    int32_t root;   // index in nodes_
    int32_t depth;  // the longest path from the root to a leaf, in splits
    int32_t group;  // the output the tree adds to
  };
  // A column of a block: a feature some split reads, with what stands in for its missing
  // values: +inf where the split sends them right, -inf where left. So a block holds no NaN,
  // and one comparison decides every step.
  struct BlockColumn {
    int32_t feature;
    float missing;
  };
  class Builder;

  CompiledForest() = default;
  Status SetObjective(const XgboostTrees& model, train::Task task, int num_classes);
  Status CheckFeatures(const train::Matrix& features) const;
  // Copies rows [0, count) of `rows` (row-major, num_features_ wide) into `block`.
  void FillBlock(const float* rows, int64_t count, float* block) const;
  // Adds every tree's leaf values to `margins` (count x num_groups_) for a block's rows.
  void AddTrees(const float* block, int64_t count, float* margins) const;

  train::Task task_ = train::Task::kRegression;
  int num_classes_ = 0;
  Link link_ = Link::kIdentity;
  float base_margin_ = 0;
  int64_t num_features_ = 0;
  int num_groups_ = 1;
  std::vector<Node> nodes_;
  std::vector<Tree> trees_;
  std::vector<BlockColumn> columns_;
};

}  // namespace aimass::serve
