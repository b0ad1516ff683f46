// What the Conv2D and ConvTranspose2D tests share: random data, scratch buffers sized by the
// layers' workspace functions, a plain reference convolution in double, and the finite-difference
// check of a layer's three steps.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/workspace.h"
#include "kernels/conv/conv_shape.h"

namespace utrain::testing {

// `count` values uniform in [-1, 1) from Rng(seed).
std::vector<float> random_values(size_t count, uint64_t seed);

// Scratch memory of exactly `bytes` (a null workspace when 0), so that a step which reads or
// writes past the size its workspace function promised shows up under the address sanitizer.
class Scratch {
 public:
  explicit Scratch(size_t bytes) : bytes_(bytes), storage_(new float[(bytes + sizeof(float) - 1) / sizeof(float)]) {}
  Workspace workspace() const { return Workspace{bytes_ == 0 ? nullptr : storage_.get(), bytes_}; }

 private:
  size_t bytes_;
  std::unique_ptr<float[]> storage_;
};

// The three steps of a convolution by the definition, in double: for every sample, output
// channel, output position, input channel and tap that reads the input,
//   y += w·x,   dW += dz·x,   dx += w·dz;   y += b, db += dz.
// Tensors are dense in s.layout, the weight [out][in][kh][kw] (CHW) or [out][kh][kw][in] (HWC).
struct ConvReference {
  std::vector<double> y, weight_grad, bias_grad, input_grad;
};
ConvReference reference_conv(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& weight,
                             const std::vector<float>& bias, const std::vector<float>& dz);

// |got - want| ≤ tolerance · max(1, |want|) for every value; a failure names `what` and the worst index.
::testing::AssertionResult values_near(const std::string& what, const std::vector<float>& got,
                                       const std::vector<double>& want, double tolerance);

// A layer's three steps over flat buffers, for the finite-difference check. Each returns the
// step's Status; weight_grad writes the weight and bias gradients (overwriting), input_grad dx.
struct LayerSteps {
  size_t x_count = 0, y_count = 0, weight_count = 0, bias_count = 0;
  std::function<Status(const float* x, const float* weight, const float* bias, float* y)> forward;
  std::function<Status(const float* x, const float* dy, float* weight_grad, float* bias_grad)> weight_grad;
  std::function<Status(const float* dy, const float* weight, float* dx)> input_grad;
};

// Draws x, weight, bias and dy from `seed`, differentiates Σ dy ⊙ forward(x, weight, bias)
// numerically with respect to each of x, weight and bias, and expects the weight, bias and input
// gradients of the steps to agree (the layer must have no activation, so the loss is linear in
// every value).
void expect_gradients_match_finite_differences(const LayerSteps& steps, uint64_t seed);

}  // namespace utrain::testing
