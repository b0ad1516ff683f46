// Linear layer steps against PyTorch (F.linear + activation, autograd): forward, weight grad,
// bias grad and input grad, over batch 1 and 4, features 1 and primes, with and without bias,
// every fused activation, on teams of 1 and 3. The backward path is the Trainer's: dy becomes dz
// through activation_backward on the saved output, then the two gradient steps.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). The sums here have at most 31 terms of
// magnitude ≤ 1, and PyTorch (BLAS) and our kernels add them in different orders; the float32
// rounding of either stays below 31 · 2^-24 · Σ|terms| in the worst case, far less in practice.
// Accumulating variants add the result to prefilled buffers: want = prefill + PyTorch's value.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "golden/fixtures/linear.h"
#include "golden/golden_check.h"
#include "layers/activation.h"
#include "layers/linear.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-5};
constexpr int kTeams[] = {1, 3};

class LinearGolden : public ::testing::TestWithParam<LinearCase> {};

// PyTorch's values, plus what an accumulating call found in its output buffer.
std::vector<float> want(const float* golden, size_t count, const std::vector<float>* prefill) {
  std::vector<float> values(golden, golden + count);
  if (prefill != nullptr)
    for (size_t i = 0; i < count; ++i) values[i] += (*prefill)[i];
  return values;
}

TEST_P(LinearGolden, all_steps_match_pytorch) {
  const LinearCase& c = GetParam();
  const auto n = static_cast<size_t>(c.batch), in = static_cast<size_t>(c.in_features),
             out = static_cast<size_t>(c.out_features);
  const std::vector<float> x = stream_values(c.seed, 0, n * in), w = stream_values(c.seed, 1, out * in),
                           b = stream_values(c.seed, 2, out), dy = stream_values(c.seed, 3, n * out);
  // Prefills for the accumulating calls (not part of the fixture: any values do).
  const std::vector<float> dw_prefill = stream_values(c.seed, 4, out * in),
                           db_prefill = stream_values(c.seed, 5, out),
                           dx_prefill = stream_values(c.seed, 6, n * in);
  LinearParams p;
  p.in_features = c.in_features, p.out_features = c.out_features, p.has_bias = c.has_bias;
  p.act = c.act, p.act_slope = c.slope;

  for (int members : kTeams) {
    for (bool accumulate : {false, true}) {
      const std::string at =
          std::string(c.name) + " team " + std::to_string(members) + (accumulate ? " accumulate " : " ");
      const ExecContext ctx{&testing::team_of(members), IsaSet::generic_only()};
      std::vector<float> y(n * out), dz(n * out);
      std::vector<float> dw = accumulate ? dw_prefill : std::vector<float>(out * in, 7.0f);
      std::vector<float> db = accumulate ? db_prefill : std::vector<float>(out, 7.0f);
      std::vector<float> dx = accumulate ? dx_prefill : std::vector<float>(n * in, 7.0f);
      const TensorView xv = TensorView::matrix(x.data(), c.batch, c.in_features);
      const TensorView yv = TensorView::matrix(y.data(), c.batch, c.out_features);
      const TensorView dyv = TensorView::matrix(dy.data(), c.batch, c.out_features);
      const TensorView dzv = TensorView::matrix(dz.data(), c.batch, c.out_features);
      const TensorView dxv = TensorView::matrix(dx.data(), c.batch, c.in_features);

      Status s = linear_forward(ctx, p, xv, w.data(), c.has_bias ? b.data() : nullptr, yv);
      ASSERT_TRUE(s.ok()) << at << describe(s);
      expect_close("linear forward", at + "y", y.data(), c.y, y.size(), kTol);

      if (c.act == Activation::none) {
        std::copy(dy.begin(), dy.end(), dz.begin());
      } else {
        s = activation_backward(ctx, ActivationParams{c.act, c.slope}, yv, dyv, dzv);
        ASSERT_TRUE(s.ok()) << at << describe(s);
      }
      s = linear_weight_grad(ctx, p, xv, dzv, dw.data(), c.has_bias ? db.data() : nullptr, accumulate);
      ASSERT_TRUE(s.ok()) << at << describe(s);
      expect_close("linear weight grad", at + "weight_grad", dw.data(),
                   want(c.weight_grad, dw.size(), accumulate ? &dw_prefill : nullptr).data(), dw.size(),
                   kTol);
      if (c.has_bias) {
        expect_close("linear bias grad", at + "bias_grad", db.data(),
                     want(c.bias_grad, db.size(), accumulate ? &db_prefill : nullptr).data(), db.size(),
                     kTol);
      }

      s = linear_input_grad(ctx, p, dzv, w.data(), dxv, accumulate);
      ASSERT_TRUE(s.ok()) << at << describe(s);
      expect_close("linear input grad", at + "input_grad", dx.data(),
                   want(c.input_grad, dx.size(), accumulate ? &dx_prefill : nullptr).data(), dx.size(), kTol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LinearGolden, ::testing::ValuesIn(linear::kLinearCases), CaseName());

}  // namespace
}  // namespace utrain::golden
