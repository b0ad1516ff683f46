#include "harness/golden_values.h"

#include <math.h>

#include "core/rng.h"
#include "harness/device_test.h"

namespace utrain::device_test {

namespace {

// Enough for the largest layer case of the fixtures with all its tensors (a few tens of KB).
constexpr size_t kGoldenMemoryBytes = 512 * 1024;
alignas(kArenaAlignment) unsigned char g_golden_block[kGoldenMemoryBytes];
Arena g_golden_memory(g_golden_block, sizeof g_golden_block);
bool g_golden_fits = true;

size_t index_in(const Shape& s, Layout layout, int32_t n, int32_t c, int32_t h, int32_t w) {
  const Strides st = dense_strides(s, layout);
  return static_cast<size_t>(n * st.n + c * st.c + h * st.h + w * st.w);
}

}  // namespace

void stream_values(uint64_t seed, uint64_t stream, float* values, size_t count, float bound) {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; ++i) values[i] = rng.uniform_symmetric(bound);
}

void to_layout(const float* nchw, const Shape& s, Layout layout, float* out) {
  for (int32_t n = 0; n < s.n; ++n)
    for (int32_t c = 0; c < s.c; ++c)
      for (int32_t h = 0; h < s.h; ++h)
        for (int32_t w = 0; w < s.w; ++w)
          out[index_in(s, layout, n, c, h, w)] = nchw[index_in(s, Layout::chw, n, c, h, w)];
}

void from_layout(const float* values, const Shape& s, Layout layout, float* nchw) {
  for (int32_t n = 0; n < s.n; ++n)
    for (int32_t c = 0; c < s.c; ++c)
      for (int32_t h = 0; h < s.h; ++h)
        for (int32_t w = 0; w < s.w; ++w)
          nchw[index_in(s, Layout::chw, n, c, h, w)] = values[index_in(s, layout, n, c, h, w)];
}

bool expect_all_close(const char* what, const float* got, const float* want, size_t count, double rel,
                      double floor) {
  for (size_t i = 0; i < count; ++i) {
    const double scale = fabs(double{want[i]}) > floor ? fabs(double{want[i]}) : floor;
    // The note is only written for a failure: formatting it per element would cost more than
    // the comparison on the emulator.
    if (fabs(double{got[i]} - double{want[i]}) <= rel * scale) continue;
    const Note note("%s[%u] of %u", what, static_cast<unsigned>(i), static_cast<unsigned>(count));
    return EXPECT_NEAR(got[i], want[i], rel * scale);
  }
  return report(true, __FILE__, __LINE__, what);
}

float* GoldenMemory::floats(size_t count) {
  float* p = g_golden_memory.allocate_array<float>(count);
  if (p == nullptr) g_golden_fits = false;
  return p;
}

void GoldenMemory::reset() {
  g_golden_memory.reset();
  g_golden_fits = true;
}

bool GoldenMemory::fits() { return g_golden_fits; }

}  // namespace utrain::device_test
