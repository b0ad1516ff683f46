#include "bench/support/repeat_timer.h"

#include <time.h>

#include <algorithm>
#include <chrono>

namespace utrain::bench {

namespace {

TimerClock g_clock = TimerClock::wall;

}  // namespace

void set_timer_clock(TimerClock clock) { g_clock = clock; }

TimerClock timer_clock() { return g_clock; }

double clock_us() {
  if (g_clock == TimerClock::wall)
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) * 1e-3;
}

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
