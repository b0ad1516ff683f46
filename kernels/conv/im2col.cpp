#include "kernels/conv/im2col.h"

#include <string.h>

#include "kernels/mm/matmul_b_panels.h"

namespace utrain {

namespace {

Status check_lowering(const ConvShape& s, Layout layout, const void* input, const void* lowered,
                      const char* subject) {
  UT_TRY(check_conv_shape(s, subject));
  if (s.layout != layout)
    return Status::error(StatusCode::invalid_argument, "the shape's layout does not suit this lowering").about(subject);
  if (input == nullptr || lowered == nullptr)
    return Status::error(StatusCode::invalid_argument, "a buffer is null").about(subject);
  return ok_status();
}

// One row of the CHW column matrix, tap (i, j) of a channel, through the output positions in
// order: `head` padding values, then `rows` output rows that read the plane, each `left` padding
// values, `count` values read `stride_w` apart from the plane and `right` padding values, then
// `tail` padding values. The first row that reads the plane starts at plane offset `first_in`,
// each next one `in_step` further. From the analytic tap ranges (conv_shape.h), so no position
// is tested alone.
struct ColumnRowRuns {
  intptr_t head = 0, tail = 0;
  int32_t rows = 0, left = 0, count = 0, right = 0;
  intptr_t first_in = 0, in_step = 0;
};

ColumnRowRuns column_row_runs(const ConvShape& s, int32_t i, int32_t j) {
  const Window2d& w = s.window;
  const int32_t row_base = i * w.dilation_h - w.pad.top, col_base = j * w.dilation_w - w.pad.left;
  const Range rows = inside_range(row_base, w.stride_h, s.out_h, s.in_h);
  const Range cols = inside_range(col_base, w.stride_w, s.out_w, s.in_w);
  ColumnRowRuns r;
  r.head = static_cast<intptr_t>(rows.begin) * s.out_w;
  r.tail = static_cast<intptr_t>(s.out_h - rows.end) * s.out_w;
  r.rows = rows.size();
  r.left = cols.begin, r.count = cols.size(), r.right = s.out_w - cols.end;
  r.first_in = static_cast<intptr_t>(rows.begin * w.stride_h + row_base) * s.in_w + cols.begin * w.stride_w + col_base;
  r.in_step = static_cast<intptr_t>(w.stride_h) * s.in_w;
  return r;
}

// Walks one row q of the HWC row matrix (sample, oh, ow) tap by tap. Each tap is C contiguous
// values; inside(row offset, input offset) gets the taps that read the input, padding(row offset)
// the others.
template <class Inside, class Padding>
void walk_row_taps(const ConvShape& s, int32_t q, const Inside& inside, const Padding& padding) {
  const Window2d& w = s.window;
  const int32_t sample = q / s.positions(), position = q % s.positions();
  const int32_t oh = position / s.out_w, ow = position % s.out_w;
  for (int32_t i = 0; i < w.kernel_h; ++i) {
    const int32_t ih = oh * w.stride_h - w.pad.top + i * w.dilation_h;
    for (int32_t j = 0; j < w.kernel_w; ++j) {
      const int32_t iw = ow * w.stride_w - w.pad.left + j * w.dilation_w;
      const intptr_t tap = static_cast<intptr_t>(i * w.kernel_w + j) * s.in_channels;
      if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) {
        padding(tap);
        continue;
      }
      inside(tap, ((static_cast<intptr_t>(sample) * s.in_h + ih) * s.in_w + iw) * s.in_channels);
    }
  }
}

void zero(float* p, intptr_t count) {
  if (count > 0) memset(p, 0, static_cast<size_t>(count) * sizeof(float));
}

// The CHW gather and scatter move a row of the column matrix in runs as long as an output row
// (5 .. 32 values in the models) and padding runs of a value or two: one value per loop pass,
// offsets multiplied out per output row and memset calls for the padding made them cost 6.4 to
// 11.7 instructions per value on rv32. Here four values per pass at immediate offsets (strides 1
// and 2 known at compile time), pointers stepped once per output row and short padding runs as
// plain stores (this file is built without GCC's loop-to-memset rewrite, see CMakeLists.txt).

// out[k] = in[k·S] for k < count (S = 0: `stride`). With S known, eight values a pass up to an
// end pointer (2.4 instructions a value on rv32 where four a pass with a counter took 3), then
// at most one pass of four; a run-time stride keeps four a pass (its offsets are multiplied out).
template <int S>
inline float* gather_run(float* out, const float* in, int32_t count, int32_t stride) {
  const intptr_t step = S != 0 ? S : stride;
  if constexpr (S != 0) {
    for (float* const end = out + (count & ~7); out != end; out += 8, in += 8 * step)
#pragma GCC unroll 8
      for (int e = 0; e < 8; ++e) out[e] = in[e * step];
    count &= 7;
  }
  for (; count >= 4; count -= 4, out += 4, in += 4 * step) {
    const float v0 = in[0], v1 = in[step], v2 = in[2 * step], v3 = in[3 * step];
    out[0] = v0, out[1] = v1, out[2] = v2, out[3] = v3;
  }
  for (; count > 0; --count, in += step) *out++ = *in;
  return out;
}

// out[k·S] += in[k] for k < count (S = 0: `stride`).
template <int S>
inline void scatter_add_run(float* out, const float* in, int32_t count, int32_t stride) {
  const intptr_t step = S != 0 ? S : stride;
  for (; count >= 4; count -= 4, out += 4 * step, in += 4) {
    const float v0 = out[0] + in[0], v1 = out[step] + in[1], v2 = out[2 * step] + in[2], v3 = out[3 * step] + in[3];
    out[0] = v0, out[step] = v1, out[2 * step] = v2, out[3 * step] = v3;
  }
  for (; count > 0; --count, out += step) *out += *in++;
}

// Zeroes a padding run and returns its end: whole output rows by memset, whose call pays for
// itself there, the value or two of a row's margin by plain stores.
inline float* zero_padding(float* out, intptr_t count) {
  if (count > 16) {
    zero(out, count);
    return out + count;
  }
  for (; count > 0; --count) *out++ = 0.0f;
  return out;
}

// Runs op.operator()<S>() with S = stride where it is 1 or 2 (immediate offsets), else S = 0.
template <class Op>
void with_stride(int32_t stride, const Op& op) {
  if (stride == 1)
    op.template operator()<1>();
  else if (stride == 2)
    op.template operator()<2>();
  else
    op.template operator()<0>();
}

// Fills one row of the column matrix from a channel plane. Not inlined: in the caller's loop
// its code changed how GCC compiled the 1×1 path beside it (ResNet8's shortcut forward on the
// Cortex-M4F: 2.3k instructions more).
template <int S>
[[gnu::noinline]] void gather_column_row(ColumnRowRuns r, const float* plane, float* out, int32_t stride) {
  out = zero_padding(out, r.head);
  const float* in = plane + r.first_in;
  for (int32_t q = 0; q < r.rows; ++q, in += r.in_step) {
    out = zero_padding(out, r.left);
    out = gather_run<S>(out, in, r.count, stride);
    out = zero_padding(out, r.right);
  }
  zero_padding(out, r.tail);
}

// Adds one row of the column matrix onto the channel plane it was gathered from.
template <int S>
void scatter_column_row(ColumnRowRuns r, const float* in, float* plane, int32_t stride) {
  in += r.head;
  float* out = plane + r.first_in;
  for (int32_t q = 0; q < r.rows; ++q, out += r.in_step) {
    scatter_add_run<S>(out, in + r.left, r.count, stride);
    in += r.left + r.count + r.right;
  }
}

// `count` zeros, eight stores a pass: memset costs about 1.8 instructions a value on the short
// runs here (a row or two of a plane).
inline void zero_run(float* out, intptr_t count) {
  for (; count >= 8; count -= 8, out += 8)
#pragma GCC unroll 8
    for (int e = 0; e < 8; ++e) out[e] = 0.0f;
  for (; count > 0; --count) *out++ = 0.0f;
}

// One channel plane of an overwritten dx from a 1×1 window without padding (ResNet's strided
// shortcuts), where each input value gets at most one output's value: output row by output row,
// the input row it reads gets the row's values every S-th place with zeros between, and the rows
// up to the next one read are zeroed, in one pass. Zeroing the plane and then adding into it
// cost 48.8k instructions for ResNet8's 16×32×32 shortcut input gradient on rv32.
template <int S>
void place_pointwise_plane(const ConvShape& s, const float* in, float* plane, int32_t stride) {
  const int32_t step = S != 0 ? S : stride;
  const int32_t whole = s.in_w / step < s.out_w ? s.in_w / step : s.out_w;  // values with all their zeros
  const intptr_t row_step = static_cast<intptr_t>(s.window.stride_h) * s.in_w;
  float* const end = plane + static_cast<intptr_t>(s.in_h) * s.in_w;
  float* out = plane;
  for (int32_t q = 0; q < s.out_h; ++q, in += s.out_w) {
    float* const row = plane + q * row_step;
    // Four values a pass, written out: GCC's own unrolling sets up a remainder per row. (The
    // value-and-gap body is written twice: a shared lambda cost 1.4% here on rv32.)
    int32_t j = 0;
    for (; j + 4 <= whole; j += 4, out += 4 * step)
#pragma GCC unroll 4
      for (int32_t u = 0; u < 4; ++u) {
        out[u * step] = in[j + u];
        for (int32_t t = 1; t < step; ++t) out[u * step + t] = 0.0f;
      }
    for (; j < whole; ++j, out += step) {
      out[0] = in[j];
      for (int32_t t = 1; t < step; ++t) out[t] = 0.0f;
    }
    if (whole < s.out_w) *out++ = in[whole];  // the row ends inside the last value's gap
    float* const next = q + 1 < s.out_h ? row + row_step : end;
    zero_run(out, next - out);
    out = next;
  }
}

// One row of the column matrix (one channel) from a 1×1 window without padding: every output
// position reads one input value, so the row is out_h runs of out_w values, S apart in the row,
// stride_h rows apart. The general row's runs (padding heads and tails, all empty here) cost
// ResNet8's 16×32×32 shortcut forward about 20k instructions for its 4096 values on rv32.
// Eight values a pass: the runs are whole output rows (16 values for ResNet8's shortcuts).
template <int S>
void gather_pointwise_row(const ConvShape& s, const float* plane, float* out, int32_t stride) {
  const intptr_t step = S != 0 ? S : stride;
  const intptr_t row_step = static_cast<intptr_t>(s.window.stride_h) * s.in_w;
  for (int32_t q = 0; q < s.out_h; ++q, plane += row_step) {
    const float* in = plane;
    int32_t count = s.out_w;
    for (; count >= 8; count -= 8, out += 8, in += 8 * step)
#pragma GCC unroll 8
      for (int e = 0; e < 8; ++e) out[e] = in[e * step];
    out = gather_run<S>(out, in, count, stride);
  }
}

// One panel W positions wide of a 1×1 window without padding: the input offsets of its positions
// are `at`, and each channel's W values go next to each other, the channel's plane further on.
template <int W>
void gather_pointwise_panel(const float* x, const intptr_t (&at)[6], intptr_t plane, int32_t channels, float* out) {
  const float* in[W];
#pragma GCC unroll 6
  for (int e = 0; e < W; ++e) in[e] = x + at[e];
  for (int32_t c = 0; c < channels; ++c, out += W)
#pragma GCC unroll 6
    for (int e = 0; e < W; ++e) {
      out[e] = *in[e];
      in[e] += plane;
    }
}

}  // namespace

Status im2col(Team& team, const ConvShape& s, const float* x, float* col) {
  UT_TRY(check_lowering(s, Layout::chw, x, col, "im2col"));
  const int32_t taps = s.window.taps(), stride = s.window.stride_w;
  const intptr_t plane = static_cast<intptr_t>(s.in_h) * s.in_w;
  team_run(team, [&](int member, int members) {
    const Range share = partition(s.k(), member, members, 1);
    if (s.window.is_unpadded_1x1()) {
      for (int32_t c = share.begin; c < share.end; ++c)
        with_stride(stride, [&]<int S>() {
          gather_pointwise_row<S>(s, x + c * plane, col + static_cast<intptr_t>(c) * s.positions(), stride);
        });
      return;
    }
    // Tap by tap, so each tap's runs are worked out once for all the channels of the share.
    for (int32_t tap = 0; tap < taps; ++tap) {
      const ColumnRowRuns runs = column_row_runs(s, tap / s.window.kernel_w, tap % s.window.kernel_w);
      const int32_t first = share.begin + (tap - share.begin % taps + taps) % taps;  // its first row
      for (int32_t r = first; r < share.end; r += taps) {
        const float* in = x + (r / taps) * plane;
        float* out = col + static_cast<intptr_t>(r) * s.positions();
        with_stride(stride, [&]<int S>() { gather_column_row<S>(runs, in, out, stride); });
      }
    }
  });
  return ok_status();
}

Status im2col_panels(Team& team, const ConvShape& s, const float* x, float* col) {
  constexpr const char* kSubject = "im2col into panels";
  UT_TRY(check_lowering(s, Layout::chw, x, col, kSubject));
  if (!s.window.is_unpadded_1x1())
    return Status::error(StatusCode::unsupported, "only a 1x1 window without padding gathers into panels").about(kSubject);
  if (!b_panels_cover(s.positions()))
    return Status::error(StatusCode::invalid_argument, "the output positions do not cut into panels 6 and 5 wide",
                         s.positions(), b_panel_columns(s.positions()))
        .about(kSubject);
  const BandTiles tiles = band_tiles(s.positions());
  const intptr_t plane = static_cast<intptr_t>(s.in_h) * s.in_w;
  team_run(team, [&](int member, int members) {
    const Range share = partition(tiles.six + tiles.five, member, members, 1);
    for (int32_t q = share.begin; q < share.end; ++q) {
      const int32_t width = q < tiles.six ? 6 : 5;
      const int32_t first = q < tiles.six ? 6 * q : 6 * tiles.six + 5 * (q - tiles.six);
      intptr_t at[6] = {};
      for (int32_t e = 0; e < width; ++e) {
        const int32_t oh = (first + e) / s.out_w, ow = (first + e) % s.out_w;
        at[e] = static_cast<intptr_t>(oh) * s.window.stride_h * s.in_w + static_cast<intptr_t>(ow) * s.window.stride_w;
      }
      float* out = col + static_cast<intptr_t>(first) * s.in_channels;
      if (width == 6)
        gather_pointwise_panel<6>(x, at, plane, s.in_channels, out);
      else
        gather_pointwise_panel<5>(x, at, plane, s.in_channels, out);
    }
  });
  return ok_status();
}

Status col2im(Team& team, const ConvShape& s, const float* col, float* dx, bool accumulate) {
  UT_TRY(check_lowering(s, Layout::chw, dx, col, "col2im"));
  const int32_t taps = s.window.taps(), stride = s.window.stride_w;
  const intptr_t plane = static_cast<intptr_t>(s.in_h) * s.in_w;
  team_run(team, [&](int member, int members) {
    const Range channels = partition(s.in_channels, member, members, 1);
    if (!accumulate && s.window.is_unpadded_1x1()) {
      for (int32_t c = channels.begin; c < channels.end; ++c)
        with_stride(stride, [&]<int S>() {
          place_pointwise_plane<S>(s, col + static_cast<intptr_t>(c) * s.positions(), dx + c * plane, stride);
        });
      return;
    }
    if (!accumulate) zero(dx + channels.begin * plane, channels.size() * plane);
    // Tap by tap (each value still gets its taps' terms in tap order), so each tap's runs are
    // worked out once for all the channels of the share.
    for (int32_t tap = 0; tap < taps; ++tap) {
      const ColumnRowRuns runs = column_row_runs(s, tap / s.window.kernel_w, tap % s.window.kernel_w);
      for (int32_t c = channels.begin; c < channels.end; ++c) {
        const float* in = col + (static_cast<intptr_t>(c) * taps + tap) * s.positions();
        float* out = dx + c * plane;
        with_stride(stride, [&]<int S>() { scatter_column_row<S>(runs, in, out, stride); });
      }
    }
  });
  return ok_status();
}

Status im2row(Team& team, const ConvShape& s, const float* x, float* rows) {
  UT_TRY(check_lowering(s, Layout::hwc, x, rows, "im2row"));
  const size_t tap_bytes = static_cast<size_t>(s.in_channels) * sizeof(float);
  team_run(team, [&](int member, int members) {
    const Range share = partition(s.batch * s.positions(), member, members, 1);
    for (int32_t q = share.begin; q < share.end; ++q) {
      float* out = rows + static_cast<intptr_t>(q) * s.k();
      walk_row_taps(
          s, q, [&](intptr_t o, intptr_t i) { memcpy(out + o, x + i, tap_bytes); },
          [&](intptr_t o) { memset(out + o, 0, tap_bytes); });
    }
  });
  return ok_status();
}

Status row2im(Team& team, const ConvShape& s, const float* rows, float* dx, bool accumulate) {
  UT_TRY(check_lowering(s, Layout::hwc, dx, rows, "row2im"));
  const int32_t channels = s.in_channels;
  team_run(team, [&](int member, int members) {
    const Range share = partition(channels, member, members, 1);
    if (share.empty()) return;
    if (!accumulate) {
      const intptr_t pixels = static_cast<intptr_t>(s.batch) * s.in_h * s.in_w;
      for (intptr_t p = 0; p < pixels; ++p) zero(dx + p * channels + share.begin, share.size());
    }
    for (int32_t q = 0; q < s.batch * s.positions(); ++q) {
      const float* in = rows + static_cast<intptr_t>(q) * s.k() + share.begin;
      walk_row_taps(
          s, q,
          [&](intptr_t o, intptr_t i) {
            float* out = dx + i + share.begin;
            for (int32_t c = 0; c < share.size(); ++c) out[c] += in[o + c];
          },
          [](intptr_t) {});
    }
  });
  return ok_status();
}

}  // namespace utrain
