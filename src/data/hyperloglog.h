// HyperLogLog: the "distinct" estimate of the statistics. 4,096 one-byte registers
// (standard error about 1.6%), with linear counting for small sets, so that a column of a
// few dozen values is counted almost exactly.
#pragma once

#include <array>
#include <bit>
#include <limits>
#include <cstdint>
#include <string_view>

namespace aimass::data {

class HyperLogLog {
 public:
  // Adds one value, given as a well-mixed 64-bit hash (HashInteger, HashDouble, HashBytes).
  void Add(uint64_t hash) {
    uint8_t& slot = registers_[hash >> (64 - kIndexBits)];
    const uint64_t rest = hash << kIndexBits;
    const auto rank = static_cast<uint8_t>(rest == 0 ? 64 - kIndexBits + 1
                                                     : __builtin_clzll(rest) + 1);
    if (rank > slot) slot = rank;
  }
  int64_t Estimate() const;

 private:
  static constexpr int kIndexBits = 12;
  std::array<uint8_t, size_t{1} << kIndexBits> registers_{};
};

// A bijective 64-bit mix (MurmurHash3's finalizer): spreads every input bit over the output.
inline uint64_t HashInteger(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
// Equal doubles hash alike: -0.0 as 0.0, every NaN as one NaN.
inline uint64_t HashDouble(double x) {
  if (x == 0) x = 0;  // -0.0 == 0.0
  if (x != x) x = std::numeric_limits<double>::quiet_NaN();
  return HashInteger(std::bit_cast<uint64_t>(x));
}
uint64_t HashBytes(std::string_view bytes);

}  // namespace aimass::data
