// Peak resident memory of this process (VmHWM), in MiB; -1 when /proc is unavailable.
#pragma once

#include <fstream>
#include <string>

inline double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}
