#include "graph/mlperf_tiny.h"

namespace utrain {

namespace {

constexpr Window2d kernel3x3(int32_t stride) {
  Window2d w;
  w.kernel_h = w.kernel_w = 3;
  w.stride_h = w.stride_w = stride;
  // Keras "same": stride 1 pads 1 on every side; stride 2 on an even size pads 0 before, 1 after.
  w.pad = stride == 1 ? Padding2d::same(1) : Padding2d{0, 1, 0, 1};
  return w;
}

constexpr Window2d pointwise_strided(int32_t stride) {
  Window2d w;
  w.stride_h = w.stride_w = stride;
  return w;
}

// Two 3×3 convolutions with BatchNorm, the shortcut (identity, or 1×1 strided when the shape
// changes), add, ReLU.
void residual_stack(Model& m, int32_t channels, int32_t stride) {
  const int block_in = m.last();
  m.conv2d(channels, kernel3x3(stride), false).batch_norm2d().relu();
  m.conv2d(channels, kernel3x3(1), false).batch_norm2d();
  const int main_path = m.last();
  if (stride != 1) m.from(block_in).conv2d(channels, pointwise_strided(stride));
  else m.from(block_in);
  m.add(main_path).relu();
}

}  // namespace

Model deep_autoencoder_model() {
  static constexpr int32_t kHidden[] = {128, 128, 128, 128, 8, 128, 128, 128, 128};
  Model m(640);
  for (int32_t width : kHidden) m.linear(width).relu();
  m.linear(640);
  return m;
}

Model ds_cnn_model(Layout layout) {
  Model m(1, 49, 10, layout);
  Window2d first;
  first.kernel_h = 10, first.kernel_w = 4, first.stride_h = first.stride_w = 2;
  first.pad = Padding2d{4, 5, 1, 1};
  m.conv2d(64, first, false).batch_norm2d().relu();
  for (int block = 0; block < 4; ++block) {
    m.depthwise_conv2d(kernel3x3(1), false).batch_norm2d().relu();
    m.pointwise_conv2d(64, false).batch_norm2d().relu();
  }
  m.global_avg_pool().flatten().linear(12);
  return m;
}

Model resnet8_model(Layout layout) {
  Model m(3, 32, 32, layout);
  m.conv2d(16, kernel3x3(1), false).batch_norm2d().relu();
  residual_stack(m, 16, 1);
  residual_stack(m, 32, 2);
  residual_stack(m, 64, 2);
  m.global_avg_pool().flatten().linear(10);
  return m;
}

}  // namespace utrain
