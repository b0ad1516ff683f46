// Times a piece of work many times and summarizes the samples. On a shared machine a run is
// only ever slowed down by others, so the median says what to expect and the minimum what the
// code can do; both are reported, never a mean.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace utrain::bench {

// The clock every measurement reads, chosen once per process (wall by default). Wall time is what
// a user waits; the thread's CPU time leaves out the time other processes hold the core, which
// on a crowded machine is most of a sample's spread (their cache traffic still counts).
enum class TimerClock : uint8_t { wall, thread_cpu };

constexpr const char* timer_clock_name(TimerClock c) { return c == TimerClock::wall ? "wall" : "thread_cpu"; }

void set_timer_clock(TimerClock clock);
TimerClock timer_clock();
// The chosen clock's reading in µs (from an arbitrary origin).
double clock_us();

struct TimingSummary {
  double median_us = 0.0;
  double min_us = 0.0;
  double max_us = 0.0;
  int repetitions = 0;      // samples taken
  int calls_per_sample = 0; // calls of the work timed together in one sample
};

// Summarizes per-call times in µs (the vector is reordered).
TimingSummary summarize_us(std::vector<double> samples_us, int calls_per_sample);

// Calls `work` `warmup` times untimed, then takes `repetitions` samples of `calls_per_sample`
// back-to-back calls each; a sample's time is divided by calls_per_sample. Several calls per
// sample keep the clock's own cost (tens of ns) out of sub-microsecond work.
template <class Work>
TimingSummary time_repeated(Work&& work, int warmup, int repetitions, int calls_per_sample = 1) {
  for (int i = 0; i < warmup; ++i) work();
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(repetitions));
  for (int r = 0; r < repetitions; ++r) {
    const double start = clock_us();
    for (int c = 0; c < calls_per_sample; ++c) work();
    samples.push_back((clock_us() - start) / calls_per_sample);
  }
  return summarize_us(std::move(samples), calls_per_sample);
}

// The number of calls that makes one sample last at least `sample_us` (measured on a few calls).
template <class Work>
int calls_for_sample(Work&& work, double sample_us) {
  for (int calls = 1;; calls *= 2) {
    const double start = clock_us();
    for (int c = 0; c < calls; ++c) work();
    if (clock_us() - start >= sample_us || calls >= (1 << 20)) return calls;
  }
}

}  // namespace utrain::bench
