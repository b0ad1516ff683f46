// What the device programs of the golden fixtures (tests/golden/fixtures/*.h) share: the inputs
// regenerated from a case's seed exactly as the host's golden tests draw them (core/rng.h is the
// same generator on every target), tensors rearranged between the fixtures' NCHW order and a
// layout, the fixtures' tolerance rule, and memory for a case's tensors without a heap.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/tensor.h"

namespace utrain::device_test {

// The layouts every convolution-like case runs in (the fixtures are NCHW; HWC permutes).
inline constexpr Layout kBothLayouts[] = {Layout::chw, Layout::hwc};

// Stream `stream` of a case: Rng(seed, stream), `count` values of uniform_symmetric(bound).
void stream_values(uint64_t seed, uint64_t stream, float* values, size_t count, float bound = 1.0f);

// The floats of a dense tensor of shape s.
inline size_t count_of(const Shape& s) { return static_cast<size_t>(s.elements()); }

// The largest of three counts: an NCHW copy that must hold any of a step's three tensors.
inline size_t largest(size_t a, size_t b, size_t c) { return a > b ? (a > c ? a : c) : (b > c ? b : c); }

// `nchw` (shape s, NCHW order) written into `out` in `layout`'s memory order, and back.
void to_layout(const float* nchw, const Shape& s, Layout layout, float* out);
void from_layout(const float* values, const Shape& s, Layout layout, float* nchw);

// Checks |got[i] − want[i]| ≤ rel · max(floor, |want[i]|) for every i, the host golden tests'
// rule (tests/golden/golden_check.h); a failure names `what` and the index. Returns whether all
// passed.
bool expect_all_close(const char* what, const float* got, const float* want, size_t count, double rel,
                      double floor = 1.0);

// A case's tensors, from one static block that reset() empties before every case: the device has
// no heap. floats() returns null when the block is full; a test takes all it needs first, then
// checks fits() before writing anything.
class GoldenMemory {
 public:
  static float* floats(size_t count);
  static void reset();
  // False once a request did not fit since the last reset.
  static bool fits();
};

}  // namespace utrain::device_test
