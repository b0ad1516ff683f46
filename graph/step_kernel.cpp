#include "graph/step_kernel.h"

#include "kernels/mm/matmul.h"
#include "layers/conv2d.h"

namespace utrain {

namespace {

MatMulArgs product(int32_t m, int32_t n, int32_t k, Trans ta, int32_t lda, Trans tb, int32_t ldb) {
  MatMulArgs p;
  p.m = m, p.n = n, p.k = k;
  p.ta = ta, p.lda = lda;
  p.tb = tb, p.ldb = ldb;
  p.ldc = n;
  return p;
}

// layers/linear.h: FW y = act(x·Wᵀ + b) (n_t), WG dW = dzᵀ·x (t_n), IG dx = dz·W (n_n).
MatMulArgs linear_product(const LinearParams& p, int32_t batch, LayerStep step) {
  const int32_t in = p.in_features, out = p.out_features;
  switch (step) {
    case LayerStep::forward: {
      MatMulArgs fw = product(batch, out, in, Trans::n, in, Trans::t, in);
      fw.bias_axis = p.has_bias ? BiasAxis::col : BiasAxis::none;
      fw.act = p.act, fw.act_slope = p.act_slope;
      return fw;
    }
    case LayerStep::weight_grad: return product(out, in, batch, Trans::t, out, Trans::n, in);
    case LayerStep::input_grad: return product(batch, in, out, Trans::n, out, Trans::n, in);
  }
  return MatMulArgs{};
}

// layers/conv2d.h, with K = in·taps and P = out_h·out_w: CHW multiplies per sample, FW W·col
// (n_n, bias per row), WG dz·colᵀ (n_t), IG Wᵀ·dz (t_n); HWC multiplies the whole batch, FW
// rows·Wᵀ (n_t, bias per column), WG dzᵀ·rows (t_n), IG dz·W (n_n). Pointwise steps have the
// same products on the activations themselves.
MatMulArgs conv_product(const Conv2dParams& p, const Shape& output, LayerStep step) {
  const int32_t k = p.in_channels * p.window.taps(), out = p.out_channels;
  const int32_t positions = output.h * output.w;
  const bool chw = p.layout == Layout::chw;
  const int32_t rows = output.n * positions;
  switch (step) {
    case LayerStep::forward: {
      MatMulArgs fw = chw ? product(out, positions, k, Trans::n, k, Trans::n, positions)
                          : product(rows, out, k, Trans::n, k, Trans::t, k);
      fw.bias_axis = !p.has_bias ? BiasAxis::none : chw ? BiasAxis::row : BiasAxis::col;
      fw.act = p.act, fw.act_slope = p.act_slope;
      return fw;
    }
    case LayerStep::weight_grad:
      return chw ? product(out, k, positions, Trans::n, positions, Trans::t, positions)
                 : product(out, k, rows, Trans::t, out, Trans::n, k);
    case LayerStep::input_grad:
      return chw ? product(k, positions, out, Trans::t, k, Trans::n, positions)
                 : product(rows, k, out, Trans::n, out, Trans::n, k);
  }
  return MatMulArgs{};
}

// The flipped input gradient (kernels/conv/conv_flip.h) is the forward of a convolution from
// out to in channels over the input's positions, K = out·taps, without bias or activation:
// CHW W'·col(dz) (n_n) per sample, HWC rows(dz)·W'ᵀ (n_t) for the batch.
MatMulArgs flipped_input_grad_product(const Conv2dParams& p, const Shape& input) {
  const int32_t k = p.out_channels * p.window.taps(), in = p.in_channels;
  const int32_t positions = input.h * input.w;
  return p.layout == Layout::chw ? product(in, positions, k, Trans::n, k, Trans::n, positions)
                                 : product(input.n * positions, in, k, Trans::n, k, Trans::t, k);
}

const char* direct_function(LayerStep step) {
  return step == LayerStep::forward       ? "conv_direct_forward"
         : step == LayerStep::weight_grad ? "conv_direct_weight_grad"
                                          : "conv_direct_input_grad";
}

}  // namespace

bool step_product(const Node& node, LayerStep step, const Shape& input, const Shape& output,
                  const StepChoice& choice, MatMulArgs* p) {
  if (node.kind == NodeKind::linear) {
    *p = linear_product(node.linear, input.n, step);
    return true;
  }
  if (node.kind != NodeKind::conv2d) return false;
  const ConvAlgorithm algorithm = conv2d_algorithm(step, node.conv, input, choice.algorithm);
  if (algorithm == ConvAlgorithm::direct) return false;
  *p = algorithm == ConvAlgorithm::flipped ? flipped_input_grad_product(node.conv, input)
                                           : conv_product(node.conv, output, step);
  p->b_panels = step == LayerStep::forward && conv2d_forward_b_panels(node.conv, input, choice.algorithm, choice.matmul);
  return true;
}

const char* step_kernel_name(const ExecContext& ctx, const Node& node, LayerStep step, const Shape& input,
                             const Shape& output, const StepChoice& choice) {
  switch (node.kind) {
    case NodeKind::linear:
    case NodeKind::conv2d: {
      MatMulArgs p;
      if (!step_product(node, step, input, output, choice, &p)) return direct_function(step);
      if (choice.matmul != nullptr) return choice.matmul->name;
      return default_matmul_kernel(normalize_matmul(p), ctx.team->size(), ctx.isas).name;
    }
    case NodeKind::depthwise_conv2d: {
      if (choice.depthwise != nullptr) return choice.depthwise->name;
      DepthwiseArgs a;
      a.layout = node.depthwise.layout;
      a.batch = input.n, a.channels = input.c;
      a.in_h = input.h, a.in_w = input.w, a.out_h = output.h, a.out_w = output.w;
      a.window = node.depthwise.window;
      return default_depthwise_kernel(a.layout, step, a, ctx.isas).name;
    }
    default: return nullptr;
  }
}

}  // namespace utrain
