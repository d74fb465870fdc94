// Train/validation splits of rows 0..n-1: k-fold, stratified k-fold and holdout, the same
// for the same seed on every platform (std::mt19937_64 with our own Fisher–Yates, not the
// standard library's shuffle). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace aimass::train {

// One split: row indexes (into the labels or rows given), each list ascending.
struct Fold {
  std::vector<int64_t> train;
  std::vector<int64_t> valid;
};

// Shuffles `values` with Fisher–Yates driven by `rng` (unbiased, by rejection).
void Shuffle(std::span<int64_t> values, std::mt19937_64& rng);

// k folds of `rows` rows; each row is in exactly one fold's `valid`, fold sizes differ by at
// most one. Fails when k < 2 or rows < k.
Result<std::vector<Fold>> KFold(int64_t rows, int k, uint64_t seed);

// k folds that keep each class's share (labels are class indexes 0..n-1) in every fold.
// Fails when k < 2, there are fewer rows than folds, or a class has fewer rows than folds
// (named with `class_names` when given, else by index).
Result<std::vector<Fold>> StratifiedKFold(std::span<const float> labels, int k, uint64_t seed,
                                          std::span<const std::string> class_names = {});

// `fraction` of the rows (rounded) for validation, the rest for training; stratified by
// class when `labels` (one per row) is given. Fails when fraction is not in (0, 1) or
// either side would be empty.
Result<Fold> Holdout(int64_t rows, double fraction, uint64_t seed,
                     std::optional<std::span<const float>> labels = std::nullopt);

}  // namespace aimass::train
