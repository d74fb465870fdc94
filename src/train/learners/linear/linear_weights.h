// A liblinear model as plain numbers, and its text form: exactly what liblinear 2.3's
// save_model writes and load_model reads, produced and parsed in memory (liblinear's own
// functions work only on file paths).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::train {

// Not a liblinear solver: multinomial logistic regression (softmax over the decision
// values), trained by XGBoost's gblinear (multinomial.h); its text is liblinear's layout
// with "solver_type MULTINOMIAL_LR", which liblinear itself does not read.
inline constexpr int kMultinomialLr = 100;

// The fields of liblinear's `struct model`. A plain value; immutable once built.
struct LinearWeights {
  int solver_type = 0;      // liblinear's solver enum (L2R_LR, L1R_LR, L2R_L2LOSS_SVR, ...)
  int nr_class = 2;         // liblinear's count: 2 for regression and binary models
  std::vector<int> labels;  // liblinear's class order (here: class indexes); empty: regression
  int nr_feature = 0;
  double bias = -1;       // the value of the bias feature appended to every row; < 0: none
  std::vector<double> w;  // Rows() x Columns(), row-major, as liblinear stores it

  // Decision columns: one for binary and regression models, one per class otherwise.
  int Columns() const;
  // Weight rows: one per feature, and one for the bias feature when bias >= 0.
  int Rows() const { return nr_feature + (bias >= 0 ? 1 : 0); }
  bool IsRegression() const { return labels.empty(); }
};

// liblinear's solver names ("L2R_LR"), and "MULTINOMIAL_LR"; "" for other numbers.
std::string_view SolverName(int solver_type);

// The model file save_model would write for these weights (numbers as "%.17g").
std::string ToLiblinearText(const LinearWeights& weights);
// Reads a liblinear model file; kInvalidArgument says what is wrong with it.
Result<LinearWeights> ParseLiblinearText(std::string_view text);

}  // namespace aimass::train
