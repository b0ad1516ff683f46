// A timing summary as JSON, the same object in every benchmark's output.
#pragma once
#include <nlohmann/json.hpp>

#include "bench/support/repeat_timer.h"

namespace utrain::bench {

inline nlohmann::json to_json(const TimingSummary& t) {
  return {{"median", t.median_us},
          {"min", t.min_us},
          {"max", t.max_us},
          {"repetitions", t.repetitions},
          {"calls_per_sample", t.calls_per_sample}};
}

}  // namespace utrain::bench
