#include "bench/support/machine_peak.h"

#include <immintrin.h>

#include <chrono>
#include <cstdint>

namespace utrain::bench {

namespace {

// Each loop below runs `chains` independent accumulator vectors through acc = acc·m + c. A
// chain can start a new multiply-accumulate only when its previous one is done, so the loop
// reaches the peak only with chains ≥ latency × units: FMA latency is 4–5 cycles on 2 units on
// current Intel and AMD cores (8–10 chains); SSE2's mul then add is 6–8 cycles. The counts fill
// the register file minus the two constants. m is just below 1, so the values converge to
// c / (1 - m) and never overflow or become subnormal.
constexpr int kAvx512Chains = 16;  // of 32 zmm registers
constexpr int kAvx2Chains = 12;    // of 16 ymm registers
constexpr int kSse2Chains = 14;    // of 16 xmm registers; a mul and an add count as one MAC

__attribute__((target("avx512f,fma"))) float chains_avx512(int64_t iterations, float m, float c) {
  const __m512 vm = _mm512_set1_ps(m), vc = _mm512_set1_ps(c);
  __m512 acc[kAvx512Chains];
  for (int i = 0; i < kAvx512Chains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kAvx512Chains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], vm, vc);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kAvx512Chains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.0f;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float chains_avx2(int64_t iterations, float m, float c) {
  const __m256 vm = _mm256_set1_ps(m), vc = _mm256_set1_ps(c);
  __m256 acc[kAvx2Chains];
  for (int i = 0; i < kAvx2Chains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kAvx2Chains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], vm, vc);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kAvx2Chains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0.0f;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("sse2"))) float chains_sse2(int64_t iterations, float m, float c) {
  const __m128 vm = _mm_set1_ps(m), vc = _mm_set1_ps(c);
  __m128 acc[kSse2Chains];
  for (int i = 0; i < kSse2Chains; ++i) acc[i] = _mm_set1_ps(static_cast<float>(i));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kSse2Chains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], vm), vc);
  }
  __m128 sum = acc[0];
  for (int i = 1; i < kSse2Chains; ++i) sum = _mm_add_ps(sum, acc[i]);
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

using ChainsFn = float (*)(int64_t iterations, float m, float c);

// Volatile so the compiler cannot fold the loops away: the constants are unknown to it and the
// results are stored.
volatile float g_multiplier = 0.999999f;
volatile float g_addend = 1e-6f;
volatile float g_sink = 0.0f;

double seconds_of(ChainsFn fn, int64_t iterations) {
  const auto start = std::chrono::steady_clock::now();
  g_sink = fn(iterations, g_multiplier, g_addend);
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(stop - start).count();
}

PeakLevel measure_level(const char* isa, int lanes, int chains, ChainsFn fn, double seconds) {
  // Grow one trial to at least 10 ms so timer resolution and loop start-up do not count, then
  // keep the fastest trial: interference only ever slows a trial down.
  int64_t iterations = 1 << 14;
  while (seconds_of(fn, iterations) < 0.01) iterations *= 2;
  double best = 0.0, spent = 0.0;
  while (spent < seconds || best == 0.0) {
    const double s = seconds_of(fn, iterations);
    spent += s;
    const double rate = static_cast<double>(iterations) * chains * lanes / s;
    if (rate > best) best = rate;
  }
  return PeakLevel{isa, lanes, chains, best};
}

}  // namespace

MachinePeak measure_machine_peak(double seconds_per_level) {
  __builtin_cpu_init();
  MachinePeak result;
  result.levels.push_back(measure_level("sse2_mul_add", 4, kSse2Chains, chains_sse2, seconds_per_level));
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    result.levels.push_back(measure_level("avx2_fma", 8, kAvx2Chains, chains_avx2, seconds_per_level));
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
    result.levels.push_back(measure_level("avx512f_fma", 16, kAvx512Chains, chains_avx512, seconds_per_level));
  result.peak = result.levels.front();
  for (const PeakLevel& level : result.levels)
    if (level.macs_per_second > result.peak.macs_per_second) result.peak = level;
  return result;
}

}  // namespace utrain::bench
