#include "train/splits.h"

#include <algorithm>
#include <cmath>

namespace aimass::train {
namespace {

// A uniform integer in [0, n): rejection sampling, so no value is more likely than another
// and the sequence depends only on mt19937_64 (whose output the standard fixes).
uint64_t UniformBelow(uint64_t n, std::mt19937_64& rng) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // a multiple of n
  uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return draw % n;
}

std::string Plural(int64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

Status CheckFolds(int64_t rows, int k) {
  if (k < 2) {
    return Fail(ErrorCode::kInvalidArgument,
                "cross-validation needs at least 2 folds, got " + std::to_string(k) +
                    "; use --cv 5, or --holdout 0.2 for a single split");
  }
  if (rows < 2) {
    return Fail(ErrorCode::kInvalidArgument, Plural(rows, "row") + " cannot make " +
                                                 std::to_string(k) +
                                                 " folds; training needs at least 2 rows");
  }
  if (rows < k) {
    return Fail(ErrorCode::kInvalidArgument,
                Plural(rows, "row") + " cannot make " + std::to_string(k) + " folds; use --cv " +
                    std::to_string(std::min<int64_t>(rows, 5)) + " or fewer, or --holdout 0.2");
  }
  return Ok();
}

// Rows grouped by class (labels are class indexes); fails on a label that is not one.
Result<std::vector<std::vector<int64_t>>> RowsByClass(std::span<const float> labels) {
  std::vector<std::vector<int64_t>> by_class;
  for (size_t row = 0; row < labels.size(); ++row) {
    const float label = labels[row];
    if (!(label >= 0) || label != std::trunc(label) || label > 1e6) {
      return Fail(ErrorCode::kInvalidArgument,
                  "label of row " + std::to_string(row) + " is " + std::to_string(label) +
                      ", not a class index; stratify classification labels only");
    }
    const auto index = static_cast<size_t>(label);
    if (index >= by_class.size()) by_class.resize(index + 1);
    by_class[index].push_back(static_cast<int64_t>(row));
  }
  return by_class;
}

// Folds from each row's fold number.
std::vector<Fold> FoldsFromAssignment(const std::vector<int>& fold_of, int k) {
  std::vector<Fold> folds(static_cast<size_t>(k));
  for (size_t row = 0; row < fold_of.size(); ++row) {
    for (int f = 0; f < k; ++f) {
      auto& side = f == fold_of[row] ? folds[f].valid : folds[f].train;
      side.push_back(static_cast<int64_t>(row));
    }
  }
  return folds;
}

}  // namespace

void Shuffle(std::span<int64_t> values, std::mt19937_64& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[UniformBelow(i, rng)]);
  }
}

Result<std::vector<Fold>> KFold(int64_t rows, int k, uint64_t seed) {
  AIMASS_RETURN_IF_ERROR(CheckFolds(rows, k));
  std::vector<int64_t> order(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  Shuffle(order, rng);
  // Dealing the shuffled rows round-robin makes fold sizes differ by at most one.
  std::vector<int> fold_of(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) fold_of[order[i]] = static_cast<int>(i % k);
  return FoldsFromAssignment(fold_of, k);
}

Result<std::vector<Fold>> StratifiedKFold(std::span<const float> labels, int k, uint64_t seed,
                                          std::span<const std::string> class_names) {
  AIMASS_RETURN_IF_ERROR(CheckFolds(static_cast<int64_t>(labels.size()), k));
  AIMASS_ASSIGN_OR_RETURN(auto by_class, RowsByClass(labels));
  for (size_t c = 0; c < by_class.size(); ++c) {
    const auto count = static_cast<int64_t>(by_class[c].size());
    if (count == 0 || count >= k) continue;
    const std::string name = c < class_names.size() ? class_names[c] : std::to_string(c);
    const std::string fix = count >= 2 ? "use --cv " + std::to_string(count) + " or fewer, or "
                                       : "add rows of that class or leave them out, or use ";
    return Fail(ErrorCode::kInvalidArgument, "class '" + name + "' has " + Plural(count, "row") +
                                                 ", fewer than the " + std::to_string(k) +
                                                 " folds; " + fix + "--holdout 0.2");
  }
  std::mt19937_64 rng(seed);
  std::vector<int> fold_of(labels.size());
  // Each class is shuffled and dealt round-robin, the deal continuing where the previous
  // class stopped so that fold sizes stay within one of each other.
  int next = 0;
  for (auto& rows : by_class) {
    Shuffle(rows, rng);
    for (int64_t row : rows) {
      fold_of[row] = next;
      next = (next + 1) % k;
    }
  }
  return FoldsFromAssignment(fold_of, k);
}

Result<Fold> Holdout(int64_t rows, double fraction, uint64_t seed,
                     std::optional<std::span<const float>> labels) {
  if (!(fraction > 0 && fraction < 1)) {
    return Fail(ErrorCode::kInvalidArgument,
                "holdout fraction " + std::to_string(fraction) +
                    " is not between 0 and 1 (exclusive); use e.g. --holdout 0.2");
  }
  if (labels && static_cast<int64_t>(labels->size()) != rows) {
    return Fail(ErrorCode::kInvalidArgument, "holdout of " + Plural(rows, "row") + " got " +
                                                 std::to_string(labels->size()) + " labels");
  }
  std::vector<std::vector<int64_t>> groups;
  if (labels) {
    AIMASS_ASSIGN_OR_RETURN(groups, RowsByClass(*labels));
  } else {
    groups.emplace_back(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) groups[0][i] = i;
  }
  // Each group gives floor(size * fraction) rows, and the rows still owed to reach
  // round(rows * fraction) go to the groups with the largest remainders (largest remainder
  // apportionment), so class shares are kept as closely as whole rows allow.
  const auto wanted = static_cast<int64_t>(std::llround(static_cast<double>(rows) * fraction));
  std::vector<int64_t> take(groups.size());
  std::vector<std::pair<double, size_t>> remainders;
  int64_t taken = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    const double exact = static_cast<double>(groups[g].size()) * fraction;
    take[g] = static_cast<int64_t>(std::floor(exact));
    taken += take[g];
    remainders.push_back({exact - std::floor(exact), g});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < remainders.size() && taken < wanted; ++i) {
    ++take[remainders[i].second];
    ++taken;
  }
  if (taken == 0 || taken == rows) {
    return Fail(ErrorCode::kInvalidArgument,
                "a holdout of " + std::to_string(fraction) + " of " + Plural(rows, "row") +
                    " leaves no " + (taken == 0 ? "validation" : "training") + " rows; use a " +
                    (taken == 0 ? "larger" : "smaller") + " fraction or more rows");
  }
  std::mt19937_64 rng(seed);
  Fold fold;
  for (size_t g = 0; g < groups.size(); ++g) {
    Shuffle(groups[g], rng);
    fold.valid.insert(fold.valid.end(), groups[g].begin(), groups[g].begin() + take[g]);
    fold.train.insert(fold.train.end(), groups[g].begin() + take[g], groups[g].end());
  }
  std::sort(fold.valid.begin(), fold.valid.end());
  std::sort(fold.train.begin(), fold.train.end());
  return fold;
}

}  // namespace aimass::train
