// Hand-made tar archives for tests: any typeflag, any name, any size field, so that the
// reader can be shown the archives a careless or hostile tool would write.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace aimass::registry::testing {

struct RawEntry {
  RawEntry(std::string name, std::string data, char typeflag = '0', std::string linkname = "",
           long long size = -1)
      : name(std::move(name)),
        data(std::move(data)),
        typeflag(typeflag),
        linkname(std::move(linkname)),
        size(size) {}

  std::string name;
  std::string data;
  char typeflag;
  std::string linkname;
  long long size;  // the size field; -1: data.size()
};

// One 512-byte ustar header (POSIX magic) with a correct checksum, then the data padded.
inline std::string RawTarEntry(const RawEntry& e) {
  std::string header(512, '\0');
  std::memcpy(header.data(), e.name.data(), std::min<size_t>(e.name.size(), 100));
  std::snprintf(header.data() + 100, 8, "%07o", 0644);
  std::snprintf(header.data() + 108, 8, "%07o", 0);
  std::snprintf(header.data() + 116, 8, "%07o", 0);
  std::snprintf(header.data() + 124, 12, "%011llo",
                e.size < 0 ? static_cast<long long>(e.data.size()) : e.size);
  std::snprintf(header.data() + 136, 12, "%011o", 1700000000);
  header[156] = e.typeflag;
  std::memcpy(header.data() + 157, e.linkname.data(), std::min<size_t>(e.linkname.size(), 100));
  std::memcpy(header.data() + 257, "ustar", 6);
  std::memcpy(header.data() + 263, "00", 2);
  std::memset(header.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  std::snprintf(header.data() + 148, 7, "%06o", sum);
  std::string data = e.data;
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return header + data;
}

inline std::string RawTar(const std::vector<RawEntry>& entries, bool end_marker = true) {
  std::string archive;
  for (const auto& e : entries) archive += RawTarEntry(e);
  if (end_marker) archive += std::string(1024, '\0');
  return archive;
}

}  // namespace aimass::registry::testing
