// The loss goldens (tests/golden/fixtures/loss.h) on the device: softmax cross-entropy, MSE and
// L1 with mean and sum reductions, the value and the gradient with respect to the predictions,
// and the value alone without a gradient view (evaluation). Large logits, a single class and L1
// ties are among the cases. Tolerance as on the host: 1e-5 · max(1, |want|) (see
// tests/golden/loss_golden_test.cpp).
#include "core/rng.h"
#include "golden/fixtures/loss.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/loss.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::stream_values;
using golden::LossCase;

constexpr double kTol = 1e-5;
constexpr int32_t kMaxRows = 8;  // labels of a cross-entropy case (the fixture's have at most 5)

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

void run_case(const LossCase& c) {
  const device_test::Note note("%s", c.name);
  ASSERT_TRUE(c.rows <= kMaxRows);
  const size_t count = static_cast<size_t>(c.rows) * static_cast<size_t>(c.cols);
  GoldenMemory::reset();
  float *pred = GoldenMemory::floats(count), *target = GoldenMemory::floats(count), *grad = GoldenMemory::floats(count);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, pred, count, c.pred_bound);
  // The target as golden_cases.h describes it: labels, or values tied to pred at every 4th index.
  int32_t labels[kMaxRows] = {};
  if (c.kind == LossKind::softmax_cross_entropy) {
    Rng rng(c.seed, 1);
    for (int32_t r = 0; r < c.rows; ++r) labels[r] = static_cast<int32_t>(rng.below(static_cast<uint32_t>(c.cols)));
  } else {
    stream_values(c.seed, 1, target, count);
    for (size_t i = 0; i < count; i += 4) target[i] = pred[i];
  }
  const TensorView pv = TensorView::matrix(pred, c.rows, c.cols), tv = TensorView::matrix(target, c.rows, c.cols);

  float value = -1.0f;
  ASSERT_TRUE(run_loss(c, pv, labels, tv, &value, TensorView::matrix(grad, c.rows, c.cols)).ok());
  expect_all_close("value", &value, &c.value, 1, kTol);
  expect_all_close("grad", grad, c.grad, count, kTol);
  float value_only = -1.0f;
  ASSERT_TRUE(run_loss(c, pv, labels, tv, &value_only, TensorView{}).ok());
  expect_all_close("value without gradient", &value_only, &c.value, 1, kTol);
}

DEVICE_TEST(loss_golden_value_and_gradient_every_kind_and_reduction) {
  for (const LossCase& c : golden::loss::kLossCases) run_case(c);
}

}  // namespace
}  // namespace utrain
