// Which kernel taps reach which positions, along one spatial axis of a depthwise step.
//
// Both gathering steps compute every destination value from a few source values:
//   forward     y  at output o  reads x  at o·s − pad + k·d           (every tap k = 0 .. K−1)
//   input grad  dx at input i   reads dz at (i + pad − k·d) / s       (the taps k where s divides)
// The taps that reach one destination position form an arithmetic progression, and so do the
// source positions they read: a TapLine. Kernels walk it with no branch per tap.
//
// Along the destination axis, positions fall into `phases()` classes (one for the forward; s for
// the input grad, by i mod s). Within a phase, consecutive positions ("lanes") see the same taps,
// with the source positions moved by `lane_step()` — except near the borders, where some taps land
// in the padding. interior(phase) is the range of lanes where none does: kernels run those in
// register blocks and clip the taps of the few border lanes one position at a time.
#pragma once
#include <stdint.h>

#include "core/partition.h"

namespace utrain::dw {

// ⌊a / b⌋ and ⌈a / b⌉ for any sign of a and b > 0 (C++ division truncates towards zero). b is
// mostly 1 (no dilation, no stride phases): skipping the division then saves most of the cost of
// a border lane.
constexpr int32_t floor_div(int32_t a, int32_t b) {
  if (b == 1) return a;
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
constexpr int32_t ceil_div(int32_t a, int32_t b) { return -floor_div(-a, b); }

constexpr int32_t gcd(int32_t a, int32_t b) {
  while (b != 0) {
    const int32_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// Taps tap, tap + tap_step, ... (count of them) read source positions src, src + src_step, ...
struct TapLine {
  int32_t count = 0;
  int32_t tap = 0, tap_step = 1;
  int32_t src = 0, src_step = 1;

  // The same taps with every source position moved by `source_shift`.
  constexpr TapLine shifted(int32_t source_shift) const {
    TapLine l = *this;
    l.src += source_shift;
    return l;
  }
};

struct AxisMap {
  int32_t kernel = 1, stride = 1, pad = 0, dilation = 1;
  int32_t src_size = 1;  // positions that can be read (x forward, dz input grad)
  int32_t dst_size = 1;  // positions written (y forward, dx input grad)
  bool backward = false;  // true for the input grad

  // The forward map: out positions from in positions.
  static constexpr AxisMap forward(int32_t kernel, int32_t stride, int32_t pad, int32_t dilation, int32_t in,
                                   int32_t out) {
    return AxisMap{kernel, stride, pad, dilation, in, out, false};
  }
  // The input-grad map: in positions from out positions.
  static constexpr AxisMap input_grad(int32_t kernel, int32_t stride, int32_t pad, int32_t dilation, int32_t in,
                                      int32_t out) {
    return AxisMap{kernel, stride, pad, dilation, out, in, true};
  }

  constexpr int32_t phases() const { return backward ? stride : 1; }
  constexpr int32_t lane_step() const { return backward ? 1 : stride; }
  // Destination positions phase, phase + phases(), ... below dst_size.
  constexpr int32_t lanes(int32_t phase) const {
    return dst_size > phase ? (dst_size - phase + phases() - 1) / phases() : 0;
  }

  // The taps of lane 0 of `phase` (position `phase`) before clipping to the source.
  constexpr TapLine full(int32_t phase) const {
    if (!backward) return TapLine{kernel, 0, 1, phase * stride - pad, dilation};
    // Tap k reaches position i when s divides i + pad − k·d; the solutions repeat every s / g taps.
    const int32_t g = gcd(stride, dilation), tap_step = stride / g;
    for (int32_t k = 0; k < tap_step && k < kernel; ++k) {
      const int32_t reach = phase + pad - k * dilation;
      if (floor_div(reach, stride) * stride == reach)
        return TapLine{(kernel - 1 - k) / tap_step + 1, k, tap_step, reach / stride, -(dilation / g)};
    }
    return TapLine{};  // no tap ever reaches this phase (the forward never reads these positions)
  }

  // The taps of destination position `pos`, clipped to the source [0, src_size).
  constexpr TapLine at(int32_t pos) const {
    const int32_t phase = phases() == 1 ? 0 : pos % phases(), lane = phases() == 1 ? pos : pos / phases();
    TapLine l = full(phase).shifted(lane * lane_step());
    int32_t lo = 0, hi = l.count;  // the surviving taps are [lo, hi) of the progression
    if (l.src_step > 0) {
      lo = ceil_div(-l.src, l.src_step);
      hi = floor_div(src_size - 1 - l.src, l.src_step) + 1;
    } else {
      lo = ceil_div(l.src - (src_size - 1), -l.src_step);
      hi = floor_div(l.src, -l.src_step) + 1;
    }
    if (lo < 0) lo = 0;
    if (hi > l.count) hi = l.count;
    if (hi <= lo) return TapLine{};
    l.tap += lo * l.tap_step;
    l.src += lo * l.src_step;
    l.count = hi - lo;
    return l;
  }

  // The lanes of `phase` whose taps all read inside the source (at(pos) == full(phase) shifted).
  constexpr Range interior(int32_t phase) const {
    const TapLine l = full(phase);
    if (l.count == 0) return Range{0, lanes(phase)};
    const int32_t last = l.src + (l.count - 1) * l.src_step;
    const int32_t low = l.src < last ? l.src : last, high = l.src < last ? last : l.src;
    return clamped(ceil_div(-low, lane_step()), floor_div(src_size - 1 - high, lane_step()) + 1, lanes(phase));
  }

  // The lanes of `phase` where the n-th tap of full(phase) reads inside the source: the range a
  // kernel updates with that tap, and (forward, phase 0) the outputs the weight grad of tap n
  // sums over.
  constexpr Range lanes_of_tap(int32_t phase, int32_t n) const {
    const TapLine l = full(phase);
    const int32_t first = l.src + n * l.src_step;  // the source position of lane 0
    return clamped(ceil_div(-first, lane_step()), floor_div(src_size - 1 - first, lane_step()) + 1, lanes(phase));
  }

 private:
  // [begin, end) cut to [0, size), empty ranges included: 0 <= begin <= end <= size.
  static constexpr Range clamped(int32_t begin, int32_t end, int32_t size) {
    begin = begin < 0 ? 0 : begin > size ? size : begin;
    end = end < begin ? begin : end > size ? size : end;
    return Range{begin, end};
  }
};

}  // namespace utrain::dw
