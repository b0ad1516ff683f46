// CHW depthwise steps for a scalar RV32F core, 3×3 windows at stride 1 (DS-CNN's
// and MobileNet's stride-1 layers). The generic CHW kernel runs each tap along a whole row so the
// host vectorizes it; on a scalar core with DS-CNN's 5-wide rows that is 16 instructions per MAC,
// nearly all of it loop set-up.
//
// Here each plane is first copied into a zero-bordered block with a compile-time row stride
// (kBlockStride floats), so every value a 3×3 window reads is an immediate offset from one pointer
// and no output needs a border test. A row of outputs is then computed U at a time in registers:
// each of the 3·(U+2) values under the U windows is loaded once and feeds up to 3 sums, so
// 8 outputs cost 30 loads, 72 FMAs, 8 stores and a few pointer steps. With the copy into the
// block, DS-CNN's 25×5 planes run at 0.28 MAC per instruction (the generic kernel: 0.06). The
// weight grad walks the same block with the 9 tap gradients in registers: each block value feeds
// the (up to 3) products of the dz values whose windows hold it (0.30; generic 0.13).
//
// The input grad at stride 1 is the same correlation: dx(h, w) = Σ w[2-i][2-j]·dz(h + i - (2 - top),
// w + j - (2 - left)), the rotated taps over dz with padding 2 - top and 2 - left. Shapes outside
// what the block holds (other windows, strides or dilations, wider rows, padding beyond 2) run
// the generic kernel.
#pragma once
#include <stdint.h>

#include "core/arith.h"
#include "core/partition.h"
#include "kernels/dw/depthwise_generic.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/generic/multiply_add.h"

namespace utrain::rv32 {

// The block's row stride and size: 3 rows of 32 floats are 384 bytes of immediate offsets, and
// 1024 floats (4 KB of stack) hold 32 rows, so taller planes go in strips of 30 output rows.
constexpr int32_t kBlockStride = 32;
constexpr int32_t kBlockRows = 32;
constexpr int32_t kStripRows = kBlockRows - 2;

// One 3×3 correlation over a plane: dst(h, w) = init + Σ taps[i][j]·src(h + i - top, w + j - left),
// src zero outside its src_h × src_w values; init is dst itself (accumulate) or `bias`.
struct Correlation {
  const float* src;
  int32_t src_h, src_w, top, left;
  float taps[9];
  float* dst;
  int32_t dst_h, dst_w;
  float bias;
  bool accumulate;
};

// Calls f(tap, u, v) for every product of U neighbouring windows of a row: each of the 3·(U+2)
// block values v under them, loaded once, with each tap (r·3 + j) by which window u reads it.
// `in` is the block value under the first window's top-left tap.
template <int U, class F>
[[gnu::always_inline]] inline void window_products(const float* in, const F& f) {
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r)
#pragma GCC unroll 16
    for (int c = 0; c < U + 2; ++c) {
      const float v = in[r * kBlockStride + c];
#pragma GCC unroll 3
      for (int j = 0; j < 3; ++j)
        if (c - j >= 0 && c - j < U) f(r * 3 + j, c - j, v);
    }
}

// Calls run.template operator()<U>(w, state) over a row of `width` outputs: blocks of U = 8 from
// w = 0, then the rest (1-7) as one block of its own size, so DS-CNN's 5-wide rows are a single
// block. State that lives across blocks (the weight grad's sums) is passed, not captured: GCC
// keeps a captured array in memory.
template <class Run, class State>
[[gnu::always_inline]] inline void row_blocks(int32_t width, const Run& run, State& state) {
  int32_t w = 0;
  for (; w + 8 <= width; w += 8) run.template operator()<8>(w, state);
  switch (width - w) {
    case 7: return run.template operator()<7>(w, state);
    case 6: return run.template operator()<6>(w, state);
    case 5: return run.template operator()<5>(w, state);
    case 4: return run.template operator()<4>(w, state);
    case 3: return run.template operator()<3>(w, state);
    case 2: return run.template operator()<2>(w, state);
    case 1: return run.template operator()<1>(w, state);
    default: return;
  }
}

// U outputs of one row, summed in registers.
template <int U, bool ACCUMULATE>
[[gnu::always_inline]] inline void row_outputs(const float* in, float* out, const float (&t)[9], float bias) {
  float sum[U];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) sum[u] = ACCUMULATE ? out[u] : bias;
  window_products<U>(in, [&](int tap, int u, float v) { sum[u] = multiply_add(t[tap], v, sum[u]); });
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) out[u] = sum[u];
}

template <bool ACCUMULATE>
[[gnu::always_inline]] inline void output_row(const float* in, float* out, int32_t width, const float (&t)[9],
                                              float bias) {
  row_blocks(width, [&]<int U>(int32_t w, float* o) { row_outputs<U, ACCUMULATE>(in + w, o + w, t, bias); }, out);
}

// The block for output rows [h0, h0 + rows): block row b holds source row h0 + b - top at columns
// [left, left + src_w). The columns around them are zero from the Block's construction and never
// written; the rows above or below the source are zeroed here (a strip's rows move over the source).
inline void fill_strip(const Correlation& k, float (&block)[kBlockRows * kBlockStride], int32_t h0, int32_t rows) {
  const int32_t width = k.dst_w + 2;
  const int32_t copied = k.src_w < width - k.left ? k.src_w : width - k.left;
  for (int32_t b = 0; b < rows + 2; ++b) {
    float* line = block + b * kBlockStride;
    const int32_t h = h0 + b - k.top;
    if (h < 0 || h >= k.src_h) {
      for (int32_t c = 0; c < width; ++c) line[c] = 0.0f;
      continue;
    }
    const float* src = k.src + static_cast<intptr_t>(h) * k.src_w;
    for (int32_t c = 0; c < copied; ++c) line[k.left + c] = src[c];
  }
}

// Output rows [h0, h0 + rows) of the correlation.
// The taps are copied into a local array first: read through k, GCC reloaded each one for every
// product, since the stores to dst might have changed them.
inline void correlate_strip(const Correlation& k, float (&block)[kBlockRows * kBlockStride], int32_t h0, int32_t rows) {
  fill_strip(k, block, h0, rows);
  float taps[9];
#pragma GCC unroll 9
  for (int t = 0; t < 9; ++t) taps[t] = k.taps[t];
  for (int32_t r = 0; r < rows; ++r) {
    float* out = k.dst + static_cast<intptr_t>(h0 + r) * k.dst_w;
    if (k.accumulate)
      output_row<true>(block + r * kBlockStride, out, k.dst_w, taps, 0.0f);
    else
      output_row<false>(block + r * kBlockStride, out, k.dst_w, taps, k.bias);
  }
}

// Every plane of a member's share through one block, zeroed once.
struct Block {
  float values[kBlockRows * kBlockStride] = {};
};

// The rows of the strip of `height` output rows that starts at h0 (strips start every kStripRows).
inline int32_t strip_rows(int32_t height, int32_t h0) { return min_of(kStripRows, height - h0); }

inline void correlate(const Correlation& k, Block& block) {
  for (int32_t h0 = 0; h0 < k.dst_h; h0 += kStripRows) correlate_strip(k, block.values, h0, strip_rows(k.dst_h, h0));
}

// The weight grad's products of U outputs of one row: grad[i][j] += Σ_u dz[u]·in[i][u + j].
template <int U>
[[gnu::always_inline]] inline void row_grads(const float* in, const float* dz, float (&grad)[9]) {
  float d[U];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) d[u] = dz[u];
  window_products<U>(in, [&](int tap, int u, float v) { grad[tap] = multiply_add(d[u], v, grad[tap]); });
}

// Adds the products of output rows [h0, h0 + rows) of one plane into grad (kept in registers
// over the rows: one function, everything inlined).
inline void weight_grad_strip(const Correlation& k, const float* dz, float (&block)[kBlockRows * kBlockStride],
                              int32_t h0, int32_t rows, float (&grad)[9]) {
  fill_strip(k, block, h0, rows);
  float g[9];
#pragma GCC unroll 9
  for (int t = 0; t < 9; ++t) g[t] = grad[t];
  for (int32_t r = 0; r < rows; ++r) {
    const float* in = block + r * kBlockStride;
    const float* d = dz + static_cast<intptr_t>(h0 + r) * k.dst_w;
    row_blocks(k.dst_w, [in, d]<int U>(int32_t w, float(&sums)[9]) { row_grads<U>(in + w, d + w, sums); }, g);
  }
#pragma GCC unroll 9
  for (int t = 0; t < 9; ++t) grad[t] = g[t];
}

// Whether the block method covers the step's shape.
inline bool fits_block(const DepthwiseArgs& a, LayerStep step) {
  const Window2d& w = a.window;
  if (w.kernel_h != 3 || w.kernel_w != 3 || w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 ||
      w.dilation_w != 1)
    return false;
  const int32_t dst_w = step == LayerStep::input_grad ? a.in_w : a.out_w;
  const bool pads_fit = w.pad.top <= 2 && w.pad.left <= 2;
  return pads_fit && dst_w + 2 <= kBlockStride;
}

// Weight grad, CHW: this member's share of the channels, each summed over the batch's planes
// (the bias grad is the generic channel sum).
inline void weight_grad_chw(const DepthwiseArgs& a, int member, int members) {
  Correlation k{};
  k.src_h = a.in_h, k.src_w = a.in_w, k.dst_h = a.out_h, k.dst_w = a.out_w;
  k.top = a.window.pad.top, k.left = a.window.pad.left;
  const intptr_t in_plane = static_cast<intptr_t>(a.in_h) * a.in_w, out_plane = static_cast<intptr_t>(a.out_h) * a.out_w;
  const Range channels = partition(a.channels, member, members, 1);
  Block block;
  for (int32_t c = channels.begin; c < channels.end; ++c) {
    if (a.weight_grad != nullptr) {
      float grad[9] = {};
      for (int32_t n = 0; n < a.batch; ++n) {
        const intptr_t plane = static_cast<intptr_t>(n) * a.channels + c;
        k.src = a.x + plane * in_plane;
        for (int32_t h0 = 0; h0 < k.dst_h; h0 += kStripRows)
          weight_grad_strip(k, a.dy + plane * out_plane, block.values, h0, strip_rows(k.dst_h, h0), grad);
      }
      for (int t = 0; t < 9; ++t) generic::store_grad(a.weight_grad + static_cast<intptr_t>(c) * 9 + t, grad[t], a.accumulate);
    }
    if (a.bias_grad != nullptr) generic::store_grad(a.bias_grad + c, generic::chw_channel_sum<4>(a, c), a.accumulate);
  }
}

// The kernel table's entry: CHW forward, weight grad or input grad; shapes the block does not
// cover run the generic kernel.
template <LayerStep S>
void depthwise_chw(const DepthwiseArgs& a, int member, int members) {
  if (!fits_block(a, S)) return generic::depthwise<Layout::chw, S, S == LayerStep::weight_grad ? 2 : 8>(a, member, members);
  if constexpr (S == LayerStep::weight_grad) return weight_grad_chw(a, member, members);
  const bool forward = S == LayerStep::forward;
  Correlation k{};
  k.src_h = forward ? a.in_h : a.out_h, k.src_w = forward ? a.in_w : a.out_w;
  k.dst_h = forward ? a.out_h : a.in_h, k.dst_w = forward ? a.out_w : a.in_w;
  k.top = forward ? a.window.pad.top : 2 - a.window.pad.top;
  k.left = forward ? a.window.pad.left : 2 - a.window.pad.left;
  k.accumulate = !forward && a.accumulate;
  const intptr_t src_plane = static_cast<intptr_t>(k.src_h) * k.src_w;
  const intptr_t dst_plane = static_cast<intptr_t>(k.dst_h) * k.dst_w;
  const Range planes = partition(a.batch * a.channels, member, members, 1);
  Block block;
  for (int32_t plane = planes.begin; plane < planes.end; ++plane) {
    const int32_t c = plane % a.channels;
    const float* w = a.weight + static_cast<intptr_t>(c) * 9;
    for (int i = 0; i < 9; ++i) k.taps[i] = forward ? w[i] : w[8 - i];  // rotated for the input grad
    k.src = (forward ? a.x : a.dy) + plane * src_plane;
    k.dst = (forward ? a.y : a.dx) + plane * dst_plane;
    k.bias = forward && a.bias != nullptr ? a.bias[c] : 0.0f;
    correlate(k, block);
    if (forward) generic::activate_in_place(a.act, k.dst, dst_plane, a.act_slope);
  }
}

}  // namespace utrain::rv32
