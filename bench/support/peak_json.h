// The machine peak as JSON, the same object in every benchmark's output.
#pragma once
#include <nlohmann/json.hpp>

#include "bench/support/machine_peak.h"

namespace utrain::bench {

inline nlohmann::json to_json(const PeakLevel& level) {
  return {{"isa", level.isa},
          {"lanes", level.lanes},
          {"chains", level.chains},
          {"macs_per_second", level.macs_per_second}};
}

inline nlohmann::json to_json(const MachinePeak& peak) {
  nlohmann::json levels = nlohmann::json::array();
  for (const PeakLevel& level : peak.levels) levels.push_back(to_json(level));
  return {{"peak", to_json(peak.peak)}, {"levels", levels}};
}

}  // namespace utrain::bench
