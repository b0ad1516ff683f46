#include "bench/support/matmul_operands.h"

#include "core/rng.h"

namespace utrain::bench {

namespace {

std::vector<float> random_values(size_t count, Rng& rng) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform_symmetric(1.0f);
  return v;
}

}  // namespace

MatMulOperands::MatMulOperands(MatMulArgs* p) {
  Rng rng(static_cast<uint64_t>(p->m) * 1000003 + static_cast<uint64_t>(p->n) * 1009 + static_cast<uint64_t>(p->k));
  const size_t a_rows = static_cast<size_t>(p->ta == Trans::n ? p->m : p->k);
  const size_t b_rows = static_cast<size_t>(p->tb == Trans::n ? p->k : p->n);
  a = random_values(a_rows * static_cast<size_t>(p->lda), rng);
  b = random_values(b_rows * static_cast<size_t>(p->ldb), rng);
  bias = random_values(static_cast<size_t>(p->bias_axis == BiasAxis::row ? p->m : p->n), rng);
  c.assign(static_cast<size_t>(p->m) * static_cast<size_t>(p->ldc), 0.0f);
  p->a = a.data(), p->b = b.data(), p->c = c.data();
  p->bias = p->bias_axis == BiasAxis::none ? nullptr : bias.data();
}

}  // namespace utrain::bench
