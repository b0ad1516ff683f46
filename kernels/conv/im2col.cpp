#include "kernels/conv/im2col.h"

#include <string.h>

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

// Walks one row of the CHW column matrix, tap (i, j) of a channel, through the output positions
// in order. Runs of positions whose input lies inside the plane go to
//   inside(column offset, plane offset, count)   (the plane offset advances by stride_w per position)
// and runs that read padding to
//   padding(column offset, count).
// The runs come from the analytic tap ranges (conv_shape.h), so no position is tested alone.
template <class Inside, class Padding>
void walk_column_row(const ConvShape& s, int32_t i, int32_t j, const Inside& inside, const Padding& padding) {
  const Window2d& w = s.window;
  const int32_t row_base = i * w.dilation_h - w.pad.top, col_base = j * w.dilation_w - w.pad.left;
  const Range rows = inside_range(row_base, w.stride_h, s.out_h, s.in_h);
  const Range cols = inside_range(col_base, w.stride_w, s.out_w, s.in_w);
  padding(0, rows.begin * s.out_w);
  for (int32_t oh = rows.begin; oh < rows.end; ++oh) {
    const intptr_t out = static_cast<intptr_t>(oh) * s.out_w;
    const intptr_t in = static_cast<intptr_t>(oh * w.stride_h + row_base) * s.in_w;
    padding(out, cols.begin);
    inside(out + cols.begin, in + cols.begin * w.stride_w + col_base, cols.size());
    padding(out + cols.end, s.out_w - cols.end);
  }
  padding(static_cast<intptr_t>(rows.end) * s.out_w, (s.out_h - rows.end) * s.out_w);
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

}  // namespace

Status im2col(Team& team, const ConvShape& s, const float* x, float* col) {
  UT_TRY(check_lowering(s, Layout::chw, x, col, "im2col"));
  const int32_t taps = s.window.taps(), stride = s.window.stride_w;
  const intptr_t plane = static_cast<intptr_t>(s.in_h) * s.in_w;
  team_run(team, [&](int member, int members) {
    const Range share = partition(s.k(), member, members, 1);
    for (int32_t r = share.begin; r < share.end; ++r) {
      const int32_t tap = r % taps;
      const float* in = x + (r / taps) * plane;
      float* out = col + static_cast<intptr_t>(r) * s.positions();
      walk_column_row(
          s, tap / s.window.kernel_w, tap % s.window.kernel_w,
          [&](intptr_t o, intptr_t i, int32_t count) {
            for (int32_t k = 0; k < count; ++k) out[o + k] = in[i + static_cast<intptr_t>(k) * stride];
          },
          [&](intptr_t o, intptr_t count) { zero(out + o, count); });
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
    for (int32_t c = channels.begin; c < channels.end; ++c) {
      float* out = dx + c * plane;
      if (!accumulate) zero(out, plane);
      for (int32_t tap = 0; tap < taps; ++tap) {
        const float* in = col + (static_cast<intptr_t>(c) * taps + tap) * s.positions();
        walk_column_row(
            s, tap / s.window.kernel_w, tap % s.window.kernel_w,
            [&](intptr_t o, intptr_t i, int32_t count) {
              for (int32_t k = 0; k < count; ++k) out[i + static_cast<intptr_t>(k) * stride] += in[o + k];
            },
            [](intptr_t, intptr_t) {});
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
