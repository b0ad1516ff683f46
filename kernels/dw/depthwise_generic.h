// The generic depthwise kernels: one template per layout and step family, over the unroll U. The
// kernel table (depthwise_catalogue.cpp) instantiates them; nothing here is specific to an
// instruction set.
//
// Forward and input grad are the same computation, a gather: every destination value is a sum of
// taps·source values along two TapLines (depthwise_taps.h), the forward reading x at
// o·s − pad + k·d, the input grad reading dz at (i + pad − k·d) / s. Gathering the input grad
// (instead of scattering dz) lets the team split destination rows freely, since no two members
// ever write the same value, and makes the input grad as fast as the forward.
//  - CHW: a member takes whole (sample, channel) planes. Destination rows go in blocks of U that
//    share their row taps; each tap then updates the block's rows along the lanes where it reads
//    inside the source: a long loop over consecutive floats (at stride 1; strided otherwise) that
//    the compiler vectorizes, so the left and right borders need no code of their own and no lane
//    tests a tap. Rows whose taps reach into the top or bottom padding run one at a time with
//    clipped TapLines. (Summing U lanes in registers instead was 2-3x slower: on narrow rows such
//    as DS-CNN's 5 columns the border lanes and remainders dominate.)
//  - HWC: a member takes whole destination rows (n · H of them). At every pixel, U consecutive
//    channels are summed together across the pixel's taps: one vector per tap, whatever the stride.
// The weight grad sums over the batch and every output position, so members split the channels
// (each weight-grad value is then written by one member only):
//  - CHW: per channel and tap, a dot product of dz rows with x rows along the output width, with
//    U independent partial sums so the compiler can vectorize the reduction.
//  - HWC: per tap, U consecutive channels accumulate across all positions in registers.
// Every kernel handles every shape and split: U-blocks, then the remainder in blocks of U/2 ... 1
// (or, where the step overwrites its output, one last U-block that recomputes a few values).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/partition.h"
#include "kernels/activation_fn.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/dw/depthwise_taps.h"
#include "kernels/generic/multiply_add.h"

namespace utrain::generic {

using dw::AxisMap;
using dw::TapLine;

// ---------------------------------------------------------------------------------------------
// Shared pieces

// The rows and columns maps of a gathering step.
struct GatherMaps {
  AxisMap rows, cols;
};

inline GatherMaps gather_maps(const DepthwiseArgs& a, LayerStep step) {
  const Window2d& w = a.window;
  if (step == LayerStep::forward)
    return GatherMaps{AxisMap::forward(w.kernel_h, w.stride_h, w.pad.top, w.dilation_h, a.in_h, a.out_h),
                      AxisMap::forward(w.kernel_w, w.stride_w, w.pad.left, w.dilation_w, a.in_w, a.out_w)};
  return GatherMaps{AxisMap::input_grad(w.kernel_h, w.stride_h, w.pad.top, w.dilation_h, a.in_h, a.out_h),
                    AxisMap::input_grad(w.kernel_w, w.stride_w, w.pad.left, w.dilation_w, a.in_w, a.out_w)};
}

template <Activation A>
void activate_run(float* v, intptr_t count, float slope) {
  for (intptr_t i = 0; i < count; ++i) v[i] = activate(A, v[i], slope);
}

// The fused activation over `count` finished outputs, chosen once per run so the loop vectorizes.
inline void activate_in_place(Activation act, float* v, intptr_t count, float slope) {
  switch (act) {
    case Activation::none: return;
    case Activation::relu: return activate_run<Activation::relu>(v, count, slope);
    case Activation::leaky_relu: return activate_run<Activation::leaky_relu>(v, count, slope);
    case Activation::sigmoid: return activate_run<Activation::sigmoid>(v, count, slope);
    case Activation::tanh: return activate_run<Activation::tanh>(v, count, slope);
  }
}

// What a gathering kernel reads and writes, from the step's point of view.
struct GatherIo {
  const float* src;  // x (forward) or dz (input grad)
  float* dst;        // y or dx
  int32_t src_h, src_w, dst_h, dst_w;
  const float* bias;  // forward only, may be null
  bool accumulate;    // input grad only
};

inline GatherIo gather_io(const DepthwiseArgs& a, LayerStep step) {
  if (step == LayerStep::forward) return GatherIo{a.x, a.y, a.in_h, a.in_w, a.out_h, a.out_w, a.bias, false};
  return GatherIo{a.dy, a.dx, a.out_h, a.out_w, a.in_h, a.in_w, nullptr, a.accumulate};
}

// ---------------------------------------------------------------------------------------------
// CHW forward and input grad

// One (sample, channel) plane of a gathering step.
struct ChwPlane {
  const float* src;
  float* dst;
  const float* taps;  // the channel's kernel_h × kernel_w weights
  int32_t src_w, dst_w, kernel_w;
  float bias;
  bool accumulate;
};

// dst[k·dst_step] += tap · src[k·src_step] for k < count. UNIT: both steps are 1 (then known at
// compile time, so the loop vectorizes).
template <bool UNIT>
inline void tap_run(float* dst, intptr_t dst_step, const float* src, intptr_t src_step, float tap, int32_t count) {
  if constexpr (UNIT) {
    for (int32_t k = 0; k < count; ++k) dst[k] = multiply_add(tap, src[k], dst[k]);
  } else {
    for (int32_t k = 0; k < count; ++k) dst[k * dst_step] = multiply_add(tap, src[k * src_step], dst[k * dst_step]);
  }
}

// U destination rows row, row + row_step, ... that share the row taps `rl` (row u reading its
// source rows u·src_row_step further). Every tap updates the rows along the lanes where it reads
// inside the source, so clipped columns need no code of their own.
template <int U, bool UNIT>
void chw_row_block(const ChwPlane& p, const AxisMap& cols, int32_t row, int32_t row_step, TapLine rl,
                   int32_t src_row_step) {
  const intptr_t dst_row_step = static_cast<intptr_t>(row_step) * p.dst_w;
  const intptr_t src_block_step = static_cast<intptr_t>(src_row_step) * p.src_w;
  float* const dst = p.dst + static_cast<intptr_t>(row) * p.dst_w;
  if (!p.accumulate)
    for (int u = 0; u < U; ++u)
      for (int32_t c = 0; c < p.dst_w; ++c) dst[u * dst_row_step + c] = p.bias;
  const int32_t phases = cols.phases(), lane_step = cols.lane_step();
  for (int32_t phase = 0; phase < phases; ++phase) {
    const TapLine full = cols.full(phase);
    for (int32_t n = 0; n < full.count; ++n) {
      const Range lanes = cols.lanes_of_tap(phase, n);
      if (lanes.empty()) continue;
      float* const d = dst + phase + static_cast<intptr_t>(lanes.begin) * phases;
      const float* const t = p.taps + full.tap + n * full.tap_step;
      const intptr_t src_col = full.src + n * full.src_step + static_cast<intptr_t>(lanes.begin) * lane_step;
      for (int32_t m = 0; m < rl.count; ++m) {
        const float tap = t[static_cast<intptr_t>(rl.tap + m * rl.tap_step) * p.kernel_w];
        const float* const s = p.src + static_cast<intptr_t>(rl.src + m * rl.src_step) * p.src_w + src_col;
        for (int u = 0; u < U; ++u)
          tap_run<UNIT>(d + u * dst_row_step, phases, s + u * src_block_step, lane_step, tap, lanes.size());
      }
    }
  }
}

// Interior row lanes [lanes.begin, lanes.end) of one row phase: U rows at a time. An overwriting
// step finishes with one more block of U that ends at lanes.end and recomputes a few rows
// (identical values); an accumulating one, or a range narrower than U, with U/2, ... 1. `full`
// holds the row taps of lane 0 (unclipped).
template <int U, bool UNIT>
void chw_interior_rows(const ChwPlane& p, const GatherMaps& maps, int32_t phase, TapLine full, Range lanes) {
  const int32_t phases = maps.rows.phases(), lane_step = maps.rows.lane_step();
  const auto block = [&](int32_t k) {
    chw_row_block<U, UNIT>(p, maps.cols, phase + k * phases, phases, full.shifted(k * lane_step), lane_step);
  };
  int32_t k = lanes.begin;
  for (; k + U <= lanes.end; k += U) block(k);
  if (k == lanes.end) return;
  if (!p.accumulate && lanes.size() >= U)
    block(lanes.end - U);
  else if constexpr (U > 1)
    chw_interior_rows<U / 2, UNIT>(p, maps, phase, full, Range{k, lanes.end});
}

template <int U, bool UNIT>
void chw_gather_plane(const ChwPlane& p, const GatherMaps& maps) {
  const AxisMap& rows = maps.rows;
  for (int32_t phase = 0; phase < rows.phases(); ++phase) {
    const Range inner = rows.interior(phase);
    // Rows whose taps reach into the padding, one at a time with their clipped taps.
    const auto border_rows = [&](Range lanes) {
      for (int32_t k = lanes.begin; k < lanes.end; ++k) {
        const int32_t row = phase + k * rows.phases();
        chw_row_block<1, UNIT>(p, maps.cols, row, rows.phases(), rows.at(row), rows.lane_step());
      }
    };
    border_rows(Range{0, inner.begin});
    chw_interior_rows<U, UNIT>(p, maps, phase, rows.full(phase), inner);
    border_rows(Range{inner.end, rows.lanes(phase)});
  }
}

// Forward or input grad, CHW: member's share of the n · C planes.
template <int U>
void chw_gather(const DepthwiseArgs& a, LayerStep step, int member, int members) {
  const GatherMaps maps = gather_maps(a, step);
  const GatherIo io = gather_io(a, step);
  const intptr_t src_plane = static_cast<intptr_t>(io.src_h) * io.src_w;
  const intptr_t dst_plane = static_cast<intptr_t>(io.dst_h) * io.dst_w;
  const Range planes = partition(a.batch * a.channels, member, members, 1);
  for (int32_t plane = planes.begin; plane < planes.end; ++plane) {
    const int32_t c = plane % a.channels;
    const ChwPlane p{io.src + plane * src_plane, io.dst + plane * dst_plane,
                     a.weight + static_cast<intptr_t>(c) * a.window.taps(), io.src_w, io.dst_w, a.window.kernel_w,
                     io.bias != nullptr ? io.bias[c] : 0.0f, io.accumulate};
    if (maps.cols.phases() == 1 && maps.cols.lane_step() == 1)
      chw_gather_plane<U, true>(p, maps);
    else
      chw_gather_plane<U, false>(p, maps);
    if (step == LayerStep::forward) activate_in_place(a.act, p.dst, dst_plane, a.act_slope);
  }
}

// ---------------------------------------------------------------------------------------------
// HWC forward and input grad

// One destination pixel's channels [c0, c0 + U) from the taps rl × cl. src is the sample's first
// pixel, out the destination pixel.
template <int U>
inline void hwc_pixel_block(const DepthwiseArgs& a, const GatherIo& io, const float* src, float* out, TapLine rl,
                            TapLine cl, int32_t c0) {
  const intptr_t channels = a.channels;
  float sum[U] = {};
  for (int32_t m = 0; m < rl.count; ++m) {
    const float* src_row = src + static_cast<intptr_t>(rl.src + m * rl.src_step) * io.src_w * channels + c0;
    const float* tap_row = a.weight + static_cast<intptr_t>(rl.tap + m * rl.tap_step) * a.window.kernel_w * channels + c0;
    for (int32_t n = 0; n < cl.count; ++n) {
      const float* s = src_row + static_cast<intptr_t>(cl.src + n * cl.src_step) * channels;
      const float* t = tap_row + static_cast<intptr_t>(cl.tap + n * cl.tap_step) * channels;
      for (int u = 0; u < U; ++u) sum[u] = multiply_add(t[u], s[u], sum[u]);
    }
  }
  float* const o = out + c0;
  if (io.accumulate) {
    for (int u = 0; u < U; ++u) o[u] += sum[u];
  } else if (io.bias != nullptr) {
    for (int u = 0; u < U; ++u) o[u] = sum[u] + io.bias[c0 + u];
  } else {
    for (int u = 0; u < U; ++u) o[u] = sum[u];
  }
}

// Channels [c0, C) of one pixel: U at a time, then (overwriting, with C >= U) one block of U
// ending at C that recomputes a few channels, or (accumulating) the remainder with U/2, ... 1.
template <int U>
void hwc_pixel(const DepthwiseArgs& a, const GatherIo& io, const float* src, float* out, TapLine rl, TapLine cl,
               int32_t c0) {
  int32_t c = c0;
  for (; c + U <= a.channels; c += U) hwc_pixel_block<U>(a, io, src, out, rl, cl, c);
  if (c == a.channels) return;
  if (!io.accumulate && a.channels >= U)
    hwc_pixel_block<U>(a, io, src, out, rl, cl, a.channels - U);
  else if constexpr (U > 1)
    hwc_pixel<U / 2>(a, io, src, out, rl, cl, c);
}

// Forward or input grad, HWC: member's share of the n · H destination rows.
template <int U>
void hwc_gather(const DepthwiseArgs& a, LayerStep step, int member, int members) {
  const GatherMaps maps = gather_maps(a, step);
  const GatherIo io = gather_io(a, step);
  const intptr_t src_sample = static_cast<intptr_t>(io.src_h) * io.src_w * a.channels;
  const intptr_t dst_row_floats = static_cast<intptr_t>(io.dst_w) * a.channels;
  const Range rows = partition(a.batch * io.dst_h, member, members, 1);
  for (int32_t row = rows.begin; row < rows.end; ++row) {
    const TapLine rl = maps.rows.at(row % io.dst_h);
    const float* src = io.src + (row / io.dst_h) * src_sample;
    float* dst_row = io.dst + row * dst_row_floats;
    for (int32_t phase = 0; phase < maps.cols.phases(); ++phase) {
      const Range inner = maps.cols.interior(phase);
      const TapLine full = maps.cols.full(phase);
      for (int32_t k = 0; k < maps.cols.lanes(phase); ++k) {
        const int32_t pos = phase + k * maps.cols.phases();
        const bool interior = k >= inner.begin && k < inner.end;
        const TapLine cl = interior ? full.shifted(k * maps.cols.lane_step()) : maps.cols.at(pos);
        hwc_pixel<U>(a, io, src, dst_row + static_cast<intptr_t>(pos) * a.channels, rl, cl, 0);
      }
    }
    if (step == LayerStep::forward) activate_in_place(a.act, dst_row, dst_row_floats, a.act_slope);
  }
}

// ---------------------------------------------------------------------------------------------
// Weight grad

// Σ_k a[k] · b[k·step] over k < count, added into U partial sums (the remainder into sum[0]).
template <int U, int LS>
inline void dot_into(const float* a, const float* b, int32_t count, intptr_t b_step, float (&sum)[U]) {
  const intptr_t step = LS > 0 ? LS : b_step;
  int32_t k = 0;
  for (; k + U <= count; k += U)
    for (int u = 0; u < U; ++u) sum[u] = multiply_add(a[k + u], b[(k + u) * step], sum[u]);
  for (; k < count; ++k) sum[0] = multiply_add(a[k], b[k * step], sum[0]);
}

template <int U>
inline float total(const float (&sum)[U]) {
  float t = 0.0f;
  for (int u = 0; u < U; ++u) t += sum[u];
  return t;
}

inline void store_grad(float* out, float value, bool accumulate) { *out = accumulate ? *out + value : value; }

// One channel's kernel_h × kernel_w weight grads, CHW.
template <int U, int LS>
void chw_weight_grad_channel(const DepthwiseArgs& a, const GatherMaps& maps, int32_t c) {
  const Window2d& w = a.window;
  const intptr_t in_plane = static_cast<intptr_t>(a.in_h) * a.in_w, out_plane = static_cast<intptr_t>(a.out_h) * a.out_w;
  for (int32_t i = 0; i < w.kernel_h; ++i) {
    const Range oh = maps.rows.lanes_of_tap(0, i);
    for (int32_t j = 0; j < w.kernel_w; ++j) {
      const Range ow = maps.cols.lanes_of_tap(0, j);
      const int32_t col0 = ow.begin * w.stride_w - w.pad.left + j * w.dilation_w;
      float sum[U] = {};
      for (int32_t n = 0; n < a.batch && !ow.empty(); ++n) {
        const intptr_t plane = static_cast<intptr_t>(n) * a.channels + c;
        for (int32_t o = oh.begin; o < oh.end; ++o) {
          const intptr_t in_row = o * w.stride_h - w.pad.top + i * w.dilation_h;
          dot_into<U, LS>(a.dy + plane * out_plane + static_cast<intptr_t>(o) * a.out_w + ow.begin,
                          a.x + plane * in_plane + in_row * a.in_w + col0, ow.size(), w.stride_w, sum);
        }
      }
      store_grad(a.weight_grad + static_cast<intptr_t>(c) * w.taps() + i * w.kernel_w + j, total(sum), a.accumulate);
    }
  }
}

// Σ of dz over every sample and position of channel c, CHW.
template <int U>
float chw_channel_sum(const DepthwiseArgs& a, int32_t c) {
  const intptr_t out_plane = static_cast<intptr_t>(a.out_h) * a.out_w;
  float sum[U] = {};
  for (int32_t n = 0; n < a.batch; ++n) {
    const float* dz = a.dy + (static_cast<intptr_t>(n) * a.channels + c) * out_plane;
    intptr_t k = 0;
    for (; k + U <= out_plane; k += U)
      for (int u = 0; u < U; ++u) sum[u] += dz[k + u];
    for (; k < out_plane; ++k) sum[0] += dz[k];
  }
  return total(sum);
}

// Weight grad, CHW: member's share of the channels.
template <int U>
void chw_weight_grad(const DepthwiseArgs& a, int member, int members) {
  const GatherMaps maps = gather_maps(a, LayerStep::forward);
  const Range channels = partition(a.channels, member, members, 1);
  for (int32_t c = channels.begin; c < channels.end; ++c) {
    if (a.weight_grad != nullptr) {
      if (a.window.stride_w == 1)
        chw_weight_grad_channel<U, 1>(a, maps, c);
      else
        chw_weight_grad_channel<U, 0>(a, maps, c);
    }
    if (a.bias_grad != nullptr) store_grad(a.bias_grad + c, chw_channel_sum<U>(a, c), a.accumulate);
  }
}

// Channels [c0, c0 + U) of every tap's weight grad, HWC.
template <int U>
void hwc_weight_grad_block(const DepthwiseArgs& a, const GatherMaps& maps, int32_t c0) {
  const Window2d& w = a.window;
  const intptr_t channels = a.channels;
  const intptr_t in_sample = static_cast<intptr_t>(a.in_h) * a.in_w * channels;
  const intptr_t out_sample = static_cast<intptr_t>(a.out_h) * a.out_w * channels;
  for (int32_t i = 0; i < w.kernel_h; ++i) {
    const Range oh = maps.rows.lanes_of_tap(0, i);
    for (int32_t j = 0; j < w.kernel_w; ++j) {
      const Range ow = maps.cols.lanes_of_tap(0, j);
      float sum[U] = {};
      for (int32_t n = 0; n < a.batch && !ow.empty(); ++n)
        for (int32_t o = oh.begin; o < oh.end; ++o) {
          const intptr_t in_row = o * w.stride_h - w.pad.top + i * w.dilation_h;
          const float* dz = a.dy + n * out_sample + (static_cast<intptr_t>(o) * a.out_w + ow.begin) * channels + c0;
          const float* x = a.x + n * in_sample +
                           (in_row * a.in_w + ow.begin * w.stride_w - w.pad.left + j * w.dilation_w) * channels + c0;
          const intptr_t x_step = w.stride_w * channels;
          for (int32_t k = 0; k < ow.size(); ++k)
            for (int u = 0; u < U; ++u) sum[u] = multiply_add(dz[k * channels + u], x[k * x_step + u], sum[u]);
        }
      float* out = a.weight_grad + (static_cast<intptr_t>(i) * w.kernel_w + j) * channels + c0;
      for (int u = 0; u < U; ++u) store_grad(out + u, sum[u], a.accumulate);
    }
  }
}

// Channels [c0, c0 + U) of the bias grad, HWC.
template <int U>
void hwc_bias_grad_block(const DepthwiseArgs& a, int32_t c0) {
  const intptr_t channels = a.channels;
  float sum[U] = {};
  const intptr_t positions = static_cast<intptr_t>(a.batch) * a.out_h * a.out_w;
  for (intptr_t q = 0; q < positions; ++q)
    for (int u = 0; u < U; ++u) sum[u] += a.dy[q * channels + c0 + u];
  for (int u = 0; u < U; ++u) store_grad(a.bias_grad + c0 + u, sum[u], a.accumulate);
}

// Channels [range.begin, range.end): U at a time, the remainder with U/2, ... 1.
template <int U>
void hwc_weight_grad_channels(const DepthwiseArgs& a, const GatherMaps& maps, Range range) {
  int32_t c = range.begin;
  for (; c + U <= range.end; c += U) {
    if (a.weight_grad != nullptr) hwc_weight_grad_block<U>(a, maps, c);
    if (a.bias_grad != nullptr) hwc_bias_grad_block<U>(a, c);
  }
  if constexpr (U > 1) hwc_weight_grad_channels<U / 2>(a, maps, Range{c, range.end});
}

// Weight grad, HWC: member's share of the channels, in whole U-blocks but for the last member's.
template <int U>
void hwc_weight_grad(const DepthwiseArgs& a, int member, int members) {
  hwc_weight_grad_channels<U>(a, gather_maps(a, LayerStep::forward), partition(a.channels, member, members, U));
}

// ---------------------------------------------------------------------------------------------
// The kernel table's entry point.

template <Layout L, LayerStep S, int U>
void depthwise(const DepthwiseArgs& a, int member, int members) {
  if constexpr (S == LayerStep::weight_grad) {
    if constexpr (L == Layout::chw)
      chw_weight_grad<U>(a, member, members);
    else
      hwc_weight_grad<U>(a, member, members);
  } else if constexpr (L == Layout::chw) {
    chw_gather<U>(a, S, member, members);
  } else {
    hwc_gather<U>(a, S, member, members);
  }
}

}  // namespace utrain::generic
