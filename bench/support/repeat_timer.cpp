#include "bench/support/repeat_timer.h"

#include <algorithm>

namespace utrain::bench {

TimingSummary summarize_us(std::vector<double> samples_us, int calls_per_sample) {
  TimingSummary s;
  s.repetitions = static_cast<int>(samples_us.size());
  s.calls_per_sample = calls_per_sample;
  if (samples_us.empty()) return s;
  std::sort(samples_us.begin(), samples_us.end());
  const size_t n = samples_us.size();
  s.median_us = n % 2 == 1 ? samples_us[n / 2] : 0.5 * (samples_us[n / 2 - 1] + samples_us[n / 2]);
  s.min_us = samples_us.front();
  s.max_us = samples_us.back();
  return s;
}

}  // namespace utrain::bench
