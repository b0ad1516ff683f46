// CHW depthwise steps in strips, for 3×3 windows at stride 1 (DS-CNN's and MobileNet's stride-1
// layers). The generic CHW kernel runs each tap along a whole row so a vector unit can take it; on
// a scalar core with DS-CNN's 5-wide rows that is 16 instructions per MAC, nearly all of it loop
// set-up, and even on the host it loses to this (below).
//
// Here a plane is cut into strips of at most 5 output columns, and a strip runs down the plane:
// the 3 source rows under an output row are three pointers, the U + 2 values of each row under
// the strip's U windows are immediate offsets from them, each loaded once and feeding up to 3 sums
// held in registers (5 sums, a row's 7 values and the 9 taps fit a scalar FPU's 32 registers).
// Which of those columns lie in the padding is a compile-time property of the strip (ZL columns
// on the left, ZR on the right), so no padding value is loaded or multiplied; a source row in the
// padding is read from a line of zeros. DS-CNN's 25×5 planes are one strip: per output row 15
// loads, 39 FMAs and 5 stores, read straight from the source (an earlier rv32 version copied each
// plane into a zero-bordered block first, which cost as much as the products).
// The weight grad walks the same strips with the 9 tap gradients in registers: each source value
// feeds the (up to 3) products of the dz values whose windows hold it.
//
// The input grad at stride 1 is the same correlation: dx(h, w) = Σ w[2-i][2-j]·dz(h + i - (2 - top),
// w + j - (2 - left)), the rotated taps over dz with padding 2 - top and 2 - left. Shapes outside
// what the strips hold (other windows, strides or dilations, padding beyond 2) and an input grad
// that adds to dx run the generic kernel.
//
// Measured: rv32imfc (QEMU counts, DS-CNN's 64 planes of 25×5) 0.60 MAC per instruction in every
// step, against 0.061 (forward, input grad) and 0.134 (weight grad) for the generic kernels. On
// the host (baseline x86-64, one thread, best of 15) the forward and input grad beat the generic
// kernels on every shape tried, 64×25×5 to 32×112×112 (64×25×5: 7.6 against 37 us; 32×112×112:
// 425 against 484), the weight grad up to 32-wide rows (32×32×32: 49 against 60 for the best
// generic) but not on wider ones (16×64×64: 96 against 87).
#pragma once
#include <stdint.h>

#include "core/arith.h"
#include "core/partition.h"
#include "kernels/dw/depthwise_generic.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/generic/multiply_add.h"

namespace utrain::dw_strips {

// A strip's widest: its sums (or the weight grad's dz values), the values of a source row and the
// 9 taps stay in a scalar FPU's 32 registers; each width is code of its own.
constexpr int kStripColumns = 5;

// Source rows in the padding are read here (at offsets below kStripColumns + 2).
inline constexpr float kZeroRow[kStripColumns + 2] = {};

// One 3×3 correlation over a plane: dst(h, w) = bias + Σ taps[i][j]·src(h + i - top, w + j - left),
// src zero outside its src_h × src_w values. The weight grad uses the geometry only.
struct Correlation {
  const float* src;
  int32_t src_h, src_w, top, left;
  float taps[9];
  float* dst;
  int32_t dst_h, dst_w;
  float bias;
};

// Calls f(tap, u, v) for every product of the U windows of a strip in one output row: each value v
// of the three source rows under them outside the padding, loaded once, with each tap (r·3 + j) by
// which window u reads it. rows[r] points at the row's first column outside the padding (ZL).
template <int U, int ZL, int ZR, class F>
[[gnu::always_inline]] inline void strip_products(const float* r0, const float* r1, const float* r2, const F& f) {
  const float* rows[3] = {r0, r1, r2};
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r)
#pragma GCC unroll 16
    for (int c = ZL; c < U + 2 - ZR; ++c) {
      const float v = rows[r][c - ZL];
#pragma GCC unroll 3
      for (int j = 0; j < 3; ++j)
        if (c - j >= 0 && c - j < U) f(r * 3 + j, c - j, v);
    }
}

// Calls row(r0, r1, r2, h) for every output row h of a strip, with the three source rows under it
// (the zero line for rows in the padding), each from `column`: the strip's first source column
// outside the padding. The rows whose three sources all lie inside step three pointers; the few
// at the top and bottom edges work theirs out.
template <class Row>
[[gnu::always_inline]] inline void for_each_output_row(const Correlation& k, const float* column, const Row& row) {
  const intptr_t stride = k.src_w;
  const int32_t inner_begin = min_of(k.top, k.dst_h);
  const int32_t inner_end = max_of(inner_begin, min_of(k.dst_h, k.src_h + k.top - 2));
  const float* r0 = column + (inner_begin - k.top) * stride;
  for (int32_t h = inner_begin; h < inner_end; ++h, r0 += stride) row(r0, r0 + stride, r0 + 2 * stride, h);
  const auto source = [&](int32_t s) { return s >= 0 && s < k.src_h ? column + s * stride : kZeroRow; };
  for (int32_t h = 0; h < k.dst_h; ++h) {
    if (h == inner_begin) h = inner_end;
    if (h == k.dst_h) break;
    const int32_t s = h - k.top;
    row(source(s), source(s + 1), source(s + 2), h);
  }
}

// The strip of U output columns from w0, its first ZL and last ZR source columns in the padding.
// Each strip's code is its own function, called once per plane.
template <int U, int ZL, int ZR>
struct Strip {
  static const float* first_column(const Correlation& k, int32_t w0) { return k.src + (w0 - k.left + ZL); }

  [[gnu::noinline]] static void correlate(const Correlation& k, int32_t w0) {
    float t[9];  // locals: read through k, GCC would reload them after every store to dst
#pragma GCC unroll 9
    for (int i = 0; i < 9; ++i) t[i] = k.taps[i];
    const float bias = k.bias;
    float* out = k.dst + w0;
    const intptr_t ldo = k.dst_w;
    for_each_output_row(k, first_column(k, w0), [&](const float* r0, const float* r1, const float* r2, int32_t h) {
      float sum[U];
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) sum[u] = bias;
      strip_products<U, ZL, ZR>(r0, r1, r2, [&](int tap, int u, float v) { sum[u] = multiply_add(t[tap], v, sum[u]); });
      float* o = out + h * ldo;
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) o[u] = sum[u];
    });
  }

  // grad[i·3 + j] += Σ dz(h, w)·src(h + i - top, w + j - left) over the strip's outputs.
  [[gnu::noinline]] static void weight_grad(const Correlation& k, const float* dz, int32_t w0, float (&grad)[9]) {
    float g[9];
#pragma GCC unroll 9
    for (int i = 0; i < 9; ++i) g[i] = grad[i];
    const float* d = dz + w0;
    const intptr_t ldd = k.dst_w;
    for_each_output_row(k, first_column(k, w0), [&](const float* r0, const float* r1, const float* r2, int32_t h) {
      float dv[U];
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) dv[u] = d[h * ldd + u];
      strip_products<U, ZL, ZR>(r0, r1, r2, [&](int tap, int u, float v) { g[tap] = multiply_add(dv[u], v, g[tap]); });
    });
#pragma GCC unroll 9
    for (int i = 0; i < 9; ++i) grad[i] = g[i];
  }
};

// The strips of an output row: kStripColumns wide from the left, the last what is left, except
// that a column whose windows reach 2 columns into the padding is a strip of its own (so only
// 1-wide strips have a ZL or ZR of 2). Calls f(w0, width, ZL, ZR).
template <class F>
inline void for_each_strip(const Correlation& k, const F& f) {
  for (int32_t w0 = 0; w0 < k.dst_w;) {
    const int32_t zl = max_of(int32_t{0}, k.left - w0);
    const auto zr_of = [&](int32_t width) { return max_of(int32_t{0}, w0 + width + 2 - k.left - k.src_w); };
    int32_t width = zl == 2 ? 1 : min_of(int32_t{kStripColumns}, k.dst_w - w0);
    if (width > 1 && zr_of(width) == 2) --width;
    f(w0, width, zl, zr_of(width));
    w0 += width;
  }
}

// Pick<width, ZL, ZR>::fn (a strip's correlate or weight_grad) for a strip for_each_strip plans: only
// the 23 shapes it makes are instantiated.
template <class Fn, template <int, int, int> class Pick>
struct StripTable {
  template <int ZL, int ZR>
  static Fn of_width(int32_t width) {
    switch (width) {
      case 1: return Pick<1, ZL, ZR>::fn;
      case 2: return Pick<2, ZL, ZR>::fn;
      case 3: return Pick<3, ZL, ZR>::fn;
      case 4: return Pick<4, ZL, ZR>::fn;
      default: return Pick<5, ZL, ZR>::fn;
    }
  }
  static Fn of(int32_t width, int32_t zl, int32_t zr) {
    static_assert(kStripColumns == 5, "list every strip width");
    switch (zl * 3 + zr) {
      case 0: return of_width<0, 0>(width);
      case 1: return of_width<0, 1>(width);
      case 3: return of_width<1, 0>(width);
      case 4: return of_width<1, 1>(width);
      case 2: return Pick<1, 0, 2>::fn;
      case 5: return Pick<1, 1, 2>::fn;
      default: return Pick<1, 2, 0>::fn;  // for_each_strip makes no other
    }
  }
};

using CorrelateFn = void (*)(const Correlation&, int32_t);
using WeightGradFn = void (*)(const Correlation&, const float*, int32_t, float (&)[9]);
template <int U, int ZL, int ZR>
struct PickCorrelate {
  static constexpr CorrelateFn fn = &Strip<U, ZL, ZR>::correlate;
};
template <int U, int ZL, int ZR>
struct PickWeightGrad {
  static constexpr WeightGradFn fn = &Strip<U, ZL, ZR>::weight_grad;
};

inline void correlate(const Correlation& k) {
  for_each_strip(k, [&](int32_t w0, int32_t width, int32_t zl, int32_t zr) {
    StripTable<CorrelateFn, PickCorrelate>::of(width, zl, zr)(k, w0);
  });
}

inline void add_weight_grads(const Correlation& k, const float* dz, float (&grad)[9]) {
  for_each_strip(k, [&](int32_t w0, int32_t width, int32_t zl, int32_t zr) {
    StripTable<WeightGradFn, PickWeightGrad>::of(width, zl, zr)(k, dz, w0, grad);
  });
}

// Whether the strips cover the step's shape: a 3×3 window at stride and dilation 1 whose
// correlation (the rotated one for the input grad) has at most 2 rows and columns of padding on
// each side, and for the input grad dx overwritten.
inline bool fits_strips(const DepthwiseArgs& a, LayerStep step) {
  const Window2d& w = a.window;
  if (w.kernel_h != 3 || w.kernel_w != 3 || w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 ||
      w.dilation_w != 1)
    return false;
  const Padding2d& p = w.pad;
  const bool pads_fit = p.top <= 2 && p.bottom <= 2 && p.left <= 2 && p.right <= 2;
  return pads_fit && !(step == LayerStep::input_grad && a.accumulate);
}

// The correlation geometry of a step: the forward reads x with the window's padding; the input
// grad reads dz with 2 minus it; the weight grad reads x like the forward over dz's positions.
inline Correlation correlation_of(const DepthwiseArgs& a, LayerStep step) {
  const bool backward = step == LayerStep::input_grad;
  Correlation k{};
  k.src_h = backward ? a.out_h : a.in_h, k.src_w = backward ? a.out_w : a.in_w;
  k.dst_h = backward ? a.in_h : a.out_h, k.dst_w = backward ? a.in_w : a.out_w;
  k.top = backward ? 2 - a.window.pad.top : a.window.pad.top;
  k.left = backward ? 2 - a.window.pad.left : a.window.pad.left;
  return k;
}

// Weight grad, CHW: this member's share of the channels, each summed over the batch's planes
// (the bias grad is the generic channel sum).
inline void weight_grad_chw(const DepthwiseArgs& a, int member, int members) {
  Correlation k = correlation_of(a, LayerStep::weight_grad);
  const intptr_t in_plane = static_cast<intptr_t>(a.in_h) * a.in_w, out_plane = static_cast<intptr_t>(a.out_h) * a.out_w;
  const Range channels = partition(a.channels, member, members, 1);
  for (int32_t c = channels.begin; c < channels.end; ++c) {
    if (a.weight_grad != nullptr) {
      float grad[9] = {};
      for (int32_t n = 0; n < a.batch; ++n) {
        const intptr_t plane = static_cast<intptr_t>(n) * a.channels + c;
        k.src = a.x + plane * in_plane;
        add_weight_grads(k, a.dy + plane * out_plane, grad);
      }
      for (int t = 0; t < 9; ++t) generic::store_grad(a.weight_grad + static_cast<intptr_t>(c) * 9 + t, grad[t], a.accumulate);
    }
    if (a.bias_grad != nullptr) generic::store_grad(a.bias_grad + c, generic::chw_channel_sum<4>(a, c), a.accumulate);
  }
}

// The kernel table's entry (dw_f32_chw_<step>_s5): CHW forward, weight grad or input grad; shapes
// the strips do not cover run the generic kernel.
template <LayerStep S>
void depthwise_chw(const DepthwiseArgs& a, int member, int members) {
  if (!fits_strips(a, S)) return generic::depthwise<Layout::chw, S, S == LayerStep::weight_grad ? 2 : 8>(a, member, members);
  if constexpr (S == LayerStep::weight_grad) return weight_grad_chw(a, member, members);
  const bool forward = S == LayerStep::forward;
  Correlation k = correlation_of(a, S);
  const intptr_t src_plane = static_cast<intptr_t>(k.src_h) * k.src_w;
  const intptr_t dst_plane = static_cast<intptr_t>(k.dst_h) * k.dst_w;
  const Range planes = partition(a.batch * a.channels, member, members, 1);
  for (int32_t plane = planes.begin; plane < planes.end; ++plane) {
    const int32_t c = plane % a.channels;
    const float* w = a.weight + static_cast<intptr_t>(c) * 9;
    for (int i = 0; i < 9; ++i) k.taps[i] = forward ? w[i] : w[8 - i];  // rotated for the input grad
    k.src = (forward ? a.x : a.dy) + plane * src_plane;
    k.dst = (forward ? a.y : a.dx) + plane * dst_plane;
    k.bias = forward && a.bias != nullptr ? a.bias[c] : 0.0f;
    correlate(k);
    if (forward) generic::activate_in_place(a.act, k.dst, dst_plane, a.act_slope);
  }
}

}  // namespace utrain::dw_strips
