// The MLPerf Tiny Deep AutoEncoder as the benchmarks see it: its Linear layers, the MACs of a
// training step counted analytically, and the matrix product each layer step lowers to.
//
// Linear 640→128→128→128→128→8→128→128→128→128→640, ReLU after every layer but the last, MSE.
// A training step runs, per layer, forward (FW), weight gradient (WG) and input gradient (IG),
// except the first layer's IG, which nothing consumes.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/mm/matmul_args.h"

namespace utrain::bench {

inline constexpr int32_t kDaeWidths[] = {640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640};
inline constexpr int kDaeLayers = sizeof(kDaeWidths) / sizeof(kDaeWidths[0]) - 1;

struct DaeLayer {
  int32_t in = 0, out = 0;
  bool relu = false;        // ReLU after the layer (all but the last)
  bool input_grad = false;  // its IG is part of the step (all but the first)
};

DaeLayer dae_layer(int index);

struct StepMacs {
  int64_t forward = 0, weight_grad = 0, input_grad = 0;
  int64_t total() const { return forward + weight_grad + input_grad; }
};

// Multiply-accumulates of one training step on `batch` samples; each layer step of a Linear
// in→out costs batch·in·out.
StepMacs dae_step_macs(int32_t batch);

enum class LayerStep : uint8_t { fw, wg, ig };

constexpr const char* layer_step_name(LayerStep s) {
  return s == LayerStep::fw ? "fw" : s == LayerStep::wg ? "wg" : "ig";
}

// The operands of one Linear layer for a batch, filled with small random values.
struct LinearOperands {
  LinearOperands(int32_t in, int32_t out, int32_t batch);
  int32_t in, out, batch;
  std::vector<float> x, weight, bias, y, dz, weight_grad, dx;
};

// The product one layer step computes, as layers/linear.h documents it (before the front end's
// normalization): FW y = relu(x·Wᵀ + b) is n_t M=batch N=out K=in; WG dW = dzᵀ·x is t_n M=out
// N=in K=batch; IG dx = dz·W is n_n M=batch N=in K=out.
MatMulArgs layer_step_product(LayerStep step, bool relu, LinearOperands& ops);

}  // namespace utrain::bench
