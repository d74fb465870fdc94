// Successive halving (Jamieson & Talwalkar, 2016) across learners: many configurations are
// tried on a small share of the training rows, and the best third of each rung moves on to
// three times as many rows, until the last survivors train on all of them. Cheap early
// rungs let a short budget look at many more configurations than full-size trials would.
#pragma once

#include <cstdint>
#include <vector>

namespace aimass::train {

struct HalvingRung {
  double row_fraction;  // of the training rows each trial of this rung uses
  int configurations;   // how many trials this rung runs
};

// The rungs for `configurations` starting configurations over `rows` training rows: each
// rung keeps 1/eta of the previous one and uses eta times its rows; the last uses every row;
// no rung uses fewer than `min_rows` rows (fewer rungs then).
std::vector<HalvingRung> HalvingSchedule(int64_t rows, int configurations, int eta = 3,
                                         int64_t min_rows = 200);

}  // namespace aimass::train
