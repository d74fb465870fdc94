#include "data/hyperloglog.h"

#include <cmath>
#include <functional>

namespace aimass::data {

int64_t HyperLogLog::Estimate() const {
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  int zeros = 0;
  for (uint8_t rank : registers_) {
    sum += std::ldexp(1.0, -rank);
    zeros += rank == 0;
  }
  double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);
  return std::llround(estimate);
}

uint64_t HashBytes(std::string_view bytes) {
  return HashInteger(std::hash<std::string_view>{}(bytes));
}

}  // namespace aimass::data
