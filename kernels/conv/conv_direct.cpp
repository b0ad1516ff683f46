#include "kernels/conv/conv_direct.h"

namespace utrain {

namespace {

Status check_direct(const ConvShape& s, const void* a, const void* b, const void* out, const char* subject) {
  UT_TRY(check_conv_shape(s, subject));
  if (a == nullptr || b == nullptr || out == nullptr)
    return Status::error(StatusCode::invalid_argument, "a buffer is null").about(subject);
  return ok_status();
}

// Index arithmetic of one convolution: element offsets of x (or dx), y (or dz) and the weight.
struct Indexing {
  Strides in, out;
  WeightStrides weight;
  explicit Indexing(const ConvShape& s)
      : in(dense_strides(s.input(), s.layout)), out(dense_strides(s.output(), s.layout)), weight(weight_strides(s)) {}
  intptr_t x(int32_t n, int32_t c, int32_t h, int32_t w) const { return n * in.n + c * in.c + h * in.h + w * in.w; }
  intptr_t y(int32_t n, int32_t o, int32_t h, int32_t w) const {
    return n * out.n + o * out.c + h * out.h + w * out.w;
  }
  intptr_t w(int32_t o, int32_t c, int32_t i, int32_t j) const {
    return o * weight.out + c * weight.in + i * weight.row + j * weight.col;
  }
};

// The output index (row or column) that tap `tap` of the window maps input index `in` to, or -1
// when no output position reads `in` through that tap.
int32_t output_of_tap(int32_t in, int32_t tap, int32_t stride, int32_t pad, int32_t dilation, int32_t outputs) {
  const int32_t scaled = in + pad - tap * dilation;
  if (scaled < 0 || scaled % stride != 0 || scaled / stride >= outputs) return -1;
  return scaled / stride;
}

}  // namespace

Status conv_direct_forward(Team& team, const ConvShape& s, const float* x, const float* weight,
                           const ConvEpilogue& e, float* y) {
  UT_TRY(check_direct(s, x, weight, y, "direct conv forward"));
  UT_CHECK(e.act != Activation::leaky_relu || e.act_slope > 0.0f, StatusCode::invalid_argument,
           "direct conv forward: LeakyReLU slope must be positive");
  const Indexing at(s);
  const Window2d& w = s.window;
  team_run(team, [&](int member, int members) {
    // Rows of the output: (sample, output channel, oh).
    const Range share = partition(s.batch * s.out_channels * s.out_h, member, members, 1);
    for (int32_t row = share.begin; row < share.end; ++row) {
      const int32_t oh = row % s.out_h, o = (row / s.out_h) % s.out_channels, n = row / (s.out_h * s.out_channels);
      const int32_t ih0 = oh * w.stride_h - w.pad.top;
      const Range taps_h = inside_range(ih0, w.dilation_h, w.kernel_h, s.in_h);
      for (int32_t ow = 0; ow < s.out_w; ++ow) {
        const int32_t iw0 = ow * w.stride_w - w.pad.left;
        const Range taps_w = inside_range(iw0, w.dilation_w, w.kernel_w, s.in_w);
        float dot = 0.0f;
        for (int32_t i = taps_h.begin; i < taps_h.end; ++i)
          for (int32_t j = taps_w.begin; j < taps_w.end; ++j)
            for (int32_t c = 0; c < s.in_channels; ++c)
              dot += weight[at.w(o, c, i, j)] * x[at.x(n, c, ih0 + i * w.dilation_h, iw0 + j * w.dilation_w)];
        float* out = y + at.y(n, o, oh, ow);
        float v = e.accumulate ? *out + dot : dot;
        if (e.bias != nullptr) v += e.bias[o];
        *out = activate(e.act, v, e.act_slope);
      }
    }
  });
  return ok_status();
}

Status conv_direct_weight_grad(Team& team, const ConvShape& s, const float* x, const float* dz,
                               float* weight_grad, bool accumulate) {
  UT_TRY(check_direct(s, x, dz, weight_grad, "direct conv weight grad"));
  const Indexing at(s);
  const Window2d& w = s.window;
  team_run(team, [&](int member, int members) {
    // Pairs (output channel, input channel), each a kh × kw block of the weight.
    const Range share = partition(s.out_channels * s.in_channels, member, members, 1);
    for (int32_t pair = share.begin; pair < share.end; ++pair) {
      const int32_t o = pair / s.in_channels, c = pair % s.in_channels;
      for (int32_t i = 0; i < w.kernel_h; ++i) {
        const int32_t row_base = i * w.dilation_h - w.pad.top;
        const Range rows = inside_range(row_base, w.stride_h, s.out_h, s.in_h);
        for (int32_t j = 0; j < w.kernel_w; ++j) {
          const int32_t col_base = j * w.dilation_w - w.pad.left;
          const Range cols = inside_range(col_base, w.stride_w, s.out_w, s.in_w);
          float sum = 0.0f;
          for (int32_t n = 0; n < s.batch; ++n)
            for (int32_t oh = rows.begin; oh < rows.end; ++oh)
              for (int32_t ow = cols.begin; ow < cols.end; ++ow)
                sum += dz[at.y(n, o, oh, ow)] *
                       x[at.x(n, c, oh * w.stride_h + row_base, ow * w.stride_w + col_base)];
          float* out = weight_grad + at.w(o, c, i, j);
          *out = accumulate ? *out + sum : sum;
        }
      }
    }
  });
  return ok_status();
}

Status conv_direct_input_grad(Team& team, const ConvShape& s, const float* dz, const float* weight,
                              float* dx, bool accumulate) {
  UT_TRY(check_direct(s, dz, weight, dx, "direct conv input grad"));
  const Indexing at(s);
  const Window2d& w = s.window;
  team_run(team, [&](int member, int members) {
    // Rows of the input: (sample, input channel, ih).
    const Range share = partition(s.batch * s.in_channels * s.in_h, member, members, 1);
    for (int32_t row = share.begin; row < share.end; ++row) {
      const int32_t ih = row % s.in_h, c = (row / s.in_h) % s.in_channels, n = row / (s.in_h * s.in_channels);
      for (int32_t iw = 0; iw < s.in_w; ++iw) {
        float sum = 0.0f;
        for (int32_t i = 0; i < w.kernel_h; ++i) {
          const int32_t oh = output_of_tap(ih, i, w.stride_h, w.pad.top, w.dilation_h, s.out_h);
          if (oh < 0) continue;
          for (int32_t j = 0; j < w.kernel_w; ++j) {
            const int32_t ow = output_of_tap(iw, j, w.stride_w, w.pad.left, w.dilation_w, s.out_w);
            if (ow < 0) continue;
            for (int32_t o = 0; o < s.out_channels; ++o) sum += weight[at.w(o, c, i, j)] * dz[at.y(n, o, oh, ow)];
          }
        }
        float* out = dx + at.x(n, c, ih, iw);
        *out = accumulate ? *out + sum : sum;
      }
    }
  });
  return ok_status();
}

}  // namespace utrain
