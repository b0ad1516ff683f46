// Standalone activations against PyTorch (torch.relu, F.leaky_relu, torch.sigmoid, torch.tanh and
// autograd): forward from x, backward from the saved output y, out of place and in place.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). Each value is one libm call (expf, tanhf)
// and a few roundings; PyTorch's vectorised exp and tanh differ from libm by a few ulp at most.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden/fixtures/activation.h"
#include "golden/golden_check.h"
#include "layers/activation.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-5};

// Three members split the larger cases unevenly; tests/layers/activation_test.cpp checks that every
// team size gives the same bits.
const ExecContext ctx{&testing::team_of(3), IsaSet::generic_only()};

class ActivationGolden : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationGolden, forward_and_backward_match_pytorch) {
  const ActivationCase& c = GetParam();
  const size_t count = static_cast<size_t>(c.rows) * static_cast<size_t>(c.cols);
  const std::vector<float> x = stream_values(c.seed, 0, count, c.x_bound),
                           dy = stream_values(c.seed, 1, count);
  const ActivationParams p{c.kind, c.slope};
  const std::string name = c.name;

  std::vector<float> y(count), dx(count);
  const TensorView xv = TensorView::matrix(x.data(), c.rows, c.cols),
                   yv = TensorView::matrix(y.data(), c.rows, c.cols);
  Status s = activation_forward(ctx, p, xv, yv);
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("activation forward", name + " y", y.data(), c.y, count, kTol);
  s = activation_backward(ctx, p, yv, TensorView::matrix(dy.data(), c.rows, c.cols),
                          TensorView::matrix(dx.data(), c.rows, c.cols));
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("activation backward", name + " input_grad", dx.data(), c.input_grad, count, kTol);

  // In place, as the Trainer runs them: y over x, dx over dy.
  std::vector<float> inout = x;
  const TensorView io = TensorView::matrix(inout.data(), c.rows, c.cols);
  s = activation_forward(ctx, p, io, io);
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("activation forward", name + " in-place y", inout.data(), c.y, count, kTol);
  std::vector<float> grad = dy;
  const TensorView g = TensorView::matrix(grad.data(), c.rows, c.cols);
  s = activation_backward(ctx, p, io, g, g);
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("activation backward", name + " in-place input_grad", grad.data(), c.input_grad, count, kTol);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ActivationGolden, ::testing::ValuesIn(activation::kActivationCases),
                         CaseName());

}  // namespace
}  // namespace utrain::golden
