// Losses against PyTorch (F.cross_entropy, F.mse_loss, F.l1_loss with reduction 'mean' and
// 'sum'): the value and the gradient with respect to the predictions, including large logits
// (the log-sum-exp must not overflow), a single class, and L1 ties (gradient 0 there).
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). A value sums at most 40 terms; PyTorch and
// utrain order the sums differently, which moves a float32 result by far less than that.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "golden/fixtures/loss.h"
#include "golden/golden_check.h"
#include "layers/loss.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-5};

class LossGolden : public ::testing::TestWithParam<LossCase> {};

Status run_loss(const LossCase& c, const TensorView& pred, const int32_t* labels, const TensorView& target,
                float* value, const TensorView& grad) {
  switch (c.kind) {
    case LossKind::softmax_cross_entropy:
      return softmax_cross_entropy(pred, labels, c.reduction, value, grad);
    case LossKind::mse:
      return mse_loss(pred, target, c.reduction, value, grad);
    case LossKind::l1:
      return l1_loss(pred, target, c.reduction, value, grad);
  }
  return Status::error(StatusCode::invalid_argument, "unknown loss kind");
}

TEST_P(LossGolden, value_and_gradient_match_pytorch) {
  const LossCase& c = GetParam();
  const size_t count = static_cast<size_t>(c.rows) * static_cast<size_t>(c.cols);
  const std::vector<float> pred = stream_values(c.seed, 0, count, c.pred_bound);
  // The target as golden_cases.h describes it: labels, or values tied to pred at every 4th index.
  std::vector<int32_t> labels;
  std::vector<float> target;
  if (c.kind == LossKind::softmax_cross_entropy) {
    Rng rng(c.seed, 1);
    for (int32_t r = 0; r < c.rows; ++r)
      labels.push_back(static_cast<int32_t>(rng.below(static_cast<uint32_t>(c.cols))));
  } else {
    target = stream_values(c.seed, 1, count);
    for (size_t i = 0; i < count; i += 4) target[i] = pred[i];
  }
  const TensorView pv = TensorView::matrix(pred.data(), c.rows, c.cols);
  const TensorView tv = TensorView::matrix(target.data(), c.rows, c.cols);
  const std::string name = c.name;

  std::vector<float> grad(count, 7.0f);
  float value = -1.0f;
  Status s = run_loss(c, pv, labels.data(), tv, &value, TensorView::matrix(grad.data(), c.rows, c.cols));
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("loss value", name + " value", value, c.value, kTol);
  expect_close("loss gradient", name + " grad", grad.data(), c.grad, count, kTol);

  // Evaluation: the value alone, without a gradient view, is the same number.
  float value_only = -1.0f;
  s = run_loss(c, pv, labels.data(), tv, &value_only, TensorView{});
  ASSERT_TRUE(s.ok()) << describe(s);
  expect_close("loss value", name + " value without gradient", value_only, c.value, kTol);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LossGolden, ::testing::ValuesIn(loss::kLossCases), CaseName());

}  // namespace
}  // namespace utrain::golden
