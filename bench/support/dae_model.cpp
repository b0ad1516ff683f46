#include "bench/support/dae_model.h"

#include "core/rng.h"

namespace utrain::bench {

DaeLayer dae_layer(int index) {
  return DaeLayer{kDaeWidths[index], kDaeWidths[index + 1], index + 1 < kDaeLayers, index > 0};
}

StepMacs dae_step_macs(int32_t batch) {
  StepMacs macs;
  for (int i = 0; i < kDaeLayers; ++i) {
    const DaeLayer layer = dae_layer(i);
    const int64_t step = int64_t{batch} * layer.in * layer.out;
    macs.forward += step;
    macs.weight_grad += step;
    if (layer.input_grad) macs.input_grad += step;
  }
  return macs;
}

namespace {

std::vector<float> random_values(size_t count, Rng& rng) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform_symmetric(1.0f);
  return v;
}

}  // namespace

LinearOperands::LinearOperands(int32_t in_features, int32_t out_features, int32_t batch_size)
    : in(in_features), out(out_features), batch(batch_size) {
  Rng rng(static_cast<uint64_t>(in) * 1000 + static_cast<uint64_t>(out));
  const size_t n = static_cast<size_t>(batch);
  x = random_values(n * static_cast<size_t>(in), rng);
  weight = random_values(static_cast<size_t>(out) * static_cast<size_t>(in), rng);
  bias = random_values(static_cast<size_t>(out), rng);
  y.assign(n * static_cast<size_t>(out), 0.0f);
  dz = random_values(n * static_cast<size_t>(out), rng);
  weight_grad.assign(weight.size(), 0.0f);
  dx.assign(x.size(), 0.0f);
}

MatMulArgs layer_step_product(LayerStep step, bool relu, LinearOperands& ops) {
  MatMulArgs p;
  switch (step) {
    case LayerStep::fw:
      p.m = ops.batch, p.n = ops.out, p.k = ops.in;
      p.ta = Trans::n, p.a = ops.x.data(), p.lda = ops.in;
      p.tb = Trans::t, p.b = ops.weight.data(), p.ldb = ops.in;
      p.c = ops.y.data(), p.ldc = ops.out;
      p.bias_axis = BiasAxis::col, p.bias = ops.bias.data();
      p.act = relu ? Activation::relu : Activation::none;
      break;
    case LayerStep::wg:
      p.m = ops.out, p.n = ops.in, p.k = ops.batch;
      p.ta = Trans::t, p.a = ops.dz.data(), p.lda = ops.out;
      p.tb = Trans::n, p.b = ops.x.data(), p.ldb = ops.in;
      p.c = ops.weight_grad.data(), p.ldc = ops.in;
      break;
    case LayerStep::ig:
      p.m = ops.batch, p.n = ops.in, p.k = ops.out;
      p.ta = Trans::n, p.a = ops.dz.data(), p.lda = ops.out;
      p.tb = Trans::n, p.b = ops.weight.data(), p.ldb = ops.in;
      p.c = ops.dx.data(), p.ldc = ops.in;
      break;
  }
  return p;
}

}  // namespace utrain::bench
