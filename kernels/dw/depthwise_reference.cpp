#include "kernels/dw/depthwise_reference.h"

#include <stdint.h>

namespace utrain {

namespace {

// Element offsets of the activations and the weight in the args' layout.
struct Indexer {
  Layout layout;
  int32_t channels, kernel_h, kernel_w;

  int64_t at(int32_t n, int32_t c, int32_t h, int32_t w, int32_t height, int32_t width) const {
    if (layout == Layout::chw) return ((int64_t{n} * channels + c) * height + h) * width + w;
    return ((int64_t{n} * height + h) * width + w) * channels + c;
  }
  int64_t tap(int32_t c, int32_t i, int32_t j) const {
    if (layout == Layout::chw) return (int64_t{c} * kernel_h + i) * kernel_w + j;
    return (int64_t{i} * kernel_w + j) * channels + c;
  }
};

void forward(const DepthwiseArgs& a, const Indexer& ix) {
  const Window2d& w = a.window;
  for (int32_t n = 0; n < a.batch; ++n)
    for (int32_t c = 0; c < a.channels; ++c)
      for (int32_t oh = 0; oh < a.out_h; ++oh)
        for (int32_t ow = 0; ow < a.out_w; ++ow) {
          double sum = a.bias != nullptr ? a.bias[c] : 0.0;
          for (int32_t i = 0; i < w.kernel_h; ++i)
            for (int32_t j = 0; j < w.kernel_w; ++j) {
              const int32_t ih = oh * w.stride_h - w.pad.top + i * w.dilation_h;
              const int32_t iw = ow * w.stride_w - w.pad.left + j * w.dilation_w;
              if (ih < 0 || ih >= a.in_h || iw < 0 || iw >= a.in_w) continue;
              sum += double{a.weight[ix.tap(c, i, j)]} * a.x[ix.at(n, c, ih, iw, a.in_h, a.in_w)];
            }
          a.y[ix.at(n, c, oh, ow, a.out_h, a.out_w)] = activate(a.act, static_cast<float>(sum), a.act_slope);
        }
}

void store(float* out, double value, bool accumulate) {
  *out = static_cast<float>(accumulate ? *out + value : value);
}

void weight_grad(const DepthwiseArgs& a, const Indexer& ix) {
  const Window2d& w = a.window;
  for (int32_t c = 0; c < a.channels; ++c) {
    for (int32_t i = 0; a.weight_grad != nullptr && i < w.kernel_h; ++i)
      for (int32_t j = 0; j < w.kernel_w; ++j) {
        double sum = 0.0;
        for (int32_t n = 0; n < a.batch; ++n)
          for (int32_t oh = 0; oh < a.out_h; ++oh)
            for (int32_t ow = 0; ow < a.out_w; ++ow) {
              const int32_t ih = oh * w.stride_h - w.pad.top + i * w.dilation_h;
              const int32_t iw = ow * w.stride_w - w.pad.left + j * w.dilation_w;
              if (ih < 0 || ih >= a.in_h || iw < 0 || iw >= a.in_w) continue;
              sum += double{a.dy[ix.at(n, c, oh, ow, a.out_h, a.out_w)]} * a.x[ix.at(n, c, ih, iw, a.in_h, a.in_w)];
            }
        store(a.weight_grad + ix.tap(c, i, j), sum, a.accumulate);
      }
    if (a.bias_grad == nullptr) continue;
    double sum = 0.0;
    for (int32_t n = 0; n < a.batch; ++n)
      for (int32_t oh = 0; oh < a.out_h; ++oh)
        for (int32_t ow = 0; ow < a.out_w; ++ow) sum += a.dy[ix.at(n, c, oh, ow, a.out_h, a.out_w)];
    store(a.bias_grad + c, sum, a.accumulate);
  }
}

// The output index o that reads input position `in` through tap k, or -1 when none does.
int32_t reader(int32_t in, int32_t k, int32_t stride, int32_t pad, int32_t dilation, int32_t out_size) {
  const int32_t reach = in + pad - k * dilation;
  if (reach < 0 || reach % stride != 0 || reach / stride >= out_size) return -1;
  return reach / stride;
}

void input_grad(const DepthwiseArgs& a, const Indexer& ix) {
  const Window2d& w = a.window;
  for (int32_t n = 0; n < a.batch; ++n)
    for (int32_t c = 0; c < a.channels; ++c)
      for (int32_t ih = 0; ih < a.in_h; ++ih)
        for (int32_t iw = 0; iw < a.in_w; ++iw) {
          double sum = 0.0;
          for (int32_t i = 0; i < w.kernel_h; ++i)
            for (int32_t j = 0; j < w.kernel_w; ++j) {
              const int32_t oh = reader(ih, i, w.stride_h, w.pad.top, w.dilation_h, a.out_h);
              const int32_t ow = reader(iw, j, w.stride_w, w.pad.left, w.dilation_w, a.out_w);
              if (oh < 0 || ow < 0) continue;
              sum += double{a.weight[ix.tap(c, i, j)]} * a.dy[ix.at(n, c, oh, ow, a.out_h, a.out_w)];
            }
          store(a.dx + ix.at(n, c, ih, iw, a.in_h, a.in_w), sum, a.accumulate);
        }
}

}  // namespace

void depthwise_reference(LayerStep step, const DepthwiseArgs& args) {
  const Indexer ix{args.layout, args.channels, args.window.kernel_h, args.window.kernel_w};
  switch (step) {
    case LayerStep::forward: return forward(args, ix);
    case LayerStep::weight_grad: return weight_grad(args, ix);
    case LayerStep::input_grad: return input_grad(args, ix);
  }
}

}  // namespace utrain
