#include "train/search/halving.h"

#include <algorithm>
#include <cmath>

namespace aimass::train {

std::vector<HalvingRung> HalvingSchedule(int64_t rows, int configurations, int eta,
                                         int64_t min_rows) {
  eta = std::max(eta, 2);
  configurations = std::max(configurations, 1);
  // Rungs while there are configurations to halve and rows to shrink.
  int rungs = 1;
  for (int n = configurations; n >= eta; n /= eta) {
    const double fraction = std::pow(static_cast<double>(eta), -rungs);
    if (static_cast<double>(rows) * fraction < static_cast<double>(min_rows)) break;
    ++rungs;
  }
  std::vector<HalvingRung> schedule;
  int n = configurations;
  for (int r = rungs - 1; r >= 0; --r) {
    schedule.push_back({std::pow(static_cast<double>(eta), -r), n});
    n = std::max(1, n / eta);
  }
  return schedule;
}

}  // namespace aimass::train
