#include "train/learners/linear/linear_weights.h"

#include <linear.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace aimass::train {
namespace {

// liblinear 2.3's solver_type_table, by enum value.
constexpr std::array<std::string_view, 14> kSolverNames = {"L2R_LR",
                                                           "L2R_L2LOSS_SVC_DUAL",
                                                           "L2R_L2LOSS_SVC",
                                                           "L2R_L1LOSS_SVC_DUAL",
                                                           "MCSVM_CS",
                                                           "L1R_L2LOSS_SVC",
                                                           "L1R_LR",
                                                           "L2R_LR_DUAL",
                                                           "",
                                                           "",
                                                           "",
                                                           "L2R_L2LOSS_SVR",
                                                           "L2R_L2LOSS_SVR_DUAL",
                                                           "L2R_L1LOSS_SVR_DUAL"};

// The largest model accepted when reading: far above any table, far below an allocation
// that a corrupt header could ask for.
constexpr int64_t kMaxWeights = int64_t{1} << 31;

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Whitespace-separated words, as liblinear's fscanf("%s") / ("%lf") read them.
class Words {
 public:
  explicit Words(std::string_view text) : text_(text) {}
  std::string_view Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    const size_t start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Result<int64_t> ReadInt(Words& words, std::string_view field) {
  const std::string_view word = words.Next();
  int64_t value = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || error != std::errc() || end != word.data() + word.size()) {
    return Fail(ErrorCode::kInvalidArgument, "liblinear model: '" + std::string(field) +
                                                 "' needs a whole number, not '" +
                                                 std::string(word) + "'");
  }
  return value;
}

Result<double> ReadDouble(Words& words, std::string_view field) {
  const std::string word(words.Next());
  char* end = nullptr;
  const double value = std::strtod(word.c_str(), &end);
  if (word.empty() || end != word.c_str() + word.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "liblinear model: '" + std::string(field) + "' needs a number, not '" + word + "'");
  }
  return value;
}

}  // namespace

int LinearWeights::Columns() const {
  return nr_class == 2 && solver_type != MCSVM_CS && solver_type != kMultinomialLr ? 1 : nr_class;
}

std::string_view SolverName(int solver_type) {
  if (solver_type == kMultinomialLr) return "MULTINOMIAL_LR";
  if (solver_type < 0 || solver_type >= static_cast<int>(kSolverNames.size())) return "";
  return kSolverNames[solver_type];
}

std::string ToLiblinearText(const LinearWeights& weights) {
  std::string text = "solver_type " + std::string(SolverName(weights.solver_type)) + "\n";
  text += "nr_class " + std::to_string(weights.nr_class) + "\n";
  if (!weights.labels.empty()) {
    text += "label";
    for (int label : weights.labels) text += " " + std::to_string(label);
    text += "\n";
  }
  text += "nr_feature " + std::to_string(weights.nr_feature) + "\n";
  text += "bias " + Number(weights.bias) + "\n";
  text += "w\n";
  const int columns = weights.Columns();
  for (int i = 0; i < weights.Rows(); ++i) {
    for (int j = 0; j < columns; ++j) text += Number(weights.w[i * columns + j]) + " ";
    text += "\n";
  }
  return text;
}

Result<LinearWeights> ParseLiblinearText(std::string_view text) {
  LinearWeights weights;
  Words words(text);
  bool has_solver = false;
  for (;;) {
    const std::string_view field = words.Next();
    if (field.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "liblinear model: the file ends before its weights ('w'); it is cut short "
                  "or not a liblinear model");
    }
    if (field == "w") break;
    if (field == "solver_type") {
      const std::string_view name = words.Next();
      for (size_t i = 0; i < kSolverNames.size(); ++i) {
        if (!kSolverNames[i].empty() && kSolverNames[i] == name) {
          weights.solver_type = static_cast<int>(i);
          has_solver = true;
        }
      }
      if (name == SolverName(kMultinomialLr)) {
        weights.solver_type = kMultinomialLr;
        has_solver = true;
      }
      if (!has_solver) {
        return Fail(ErrorCode::kInvalidArgument,
                    "liblinear model: unknown solver_type '" + std::string(name) + "'");
      }
    } else if (field == "nr_class") {
      AIMASS_ASSIGN_OR_RETURN(const int64_t nr_class, ReadInt(words, field));
      if (nr_class < 1 || nr_class > 1'000'000) {
        return Fail(
            ErrorCode::kInvalidArgument,
            "liblinear model: nr_class " + std::to_string(nr_class) + " is not in [1, 1000000]");
      }
      weights.nr_class = static_cast<int>(nr_class);
    } else if (field == "nr_feature") {
      AIMASS_ASSIGN_OR_RETURN(const int64_t nr_feature, ReadInt(words, field));
      if (nr_feature < 0 || nr_feature >= kMaxWeights) {
        return Fail(
            ErrorCode::kInvalidArgument,
            "liblinear model: nr_feature " + std::to_string(nr_feature) + " is out of range");
      }
      weights.nr_feature = static_cast<int>(nr_feature);
    } else if (field == "bias") {
      AIMASS_ASSIGN_OR_RETURN(weights.bias, ReadDouble(words, field));
    } else if (field == "label") {
      // The labels follow up to the next field name (nr_class may not be known yet).
      weights.labels.clear();
      for (int i = 0; i < weights.nr_class; ++i) {
        AIMASS_ASSIGN_OR_RETURN(const int64_t label, ReadInt(words, "label"));
        weights.labels.push_back(static_cast<int>(label));
      }
    } else {
      return Fail(ErrorCode::kInvalidArgument, "liblinear model: unknown field '" +
                                                   std::string(field) +
                                                   "'; is this a liblinear 2.x model file?");
    }
  }
  if (!has_solver) {
    return Fail(ErrorCode::kInvalidArgument, "liblinear model: no solver_type line");
  }
  if (!weights.labels.empty() && static_cast<int>(weights.labels.size()) != weights.nr_class) {
    return Fail(ErrorCode::kInvalidArgument,
                "liblinear model: the label line must list nr_class "
                "labels");
  }
  const int64_t count = static_cast<int64_t>(weights.Rows()) * weights.Columns();
  if (count >= kMaxWeights) {
    return Fail(ErrorCode::kInvalidArgument, "liblinear model: too many weights");
  }
  weights.w.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    AIMASS_ASSIGN_OR_RETURN(weights.w[i], ReadDouble(words, "w"));
  }
  if (!words.Next().empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "liblinear model: more weights than nr_feature and nr_class call for");
  }
  return weights;
}

}  // namespace aimass::train
