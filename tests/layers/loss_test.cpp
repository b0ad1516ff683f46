// Losses: values on cases small enough to compute by hand, gradients against finite
// differences, PyTorch's mean and sum reductions, extreme inputs, optional outputs, in-place
// gradients, and the errors that name a bad call.
#include "layers/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "support/finite_difference.h"
#include "support/status_text.h"

namespace utrain {
namespace {

using testing::status_text;

std::vector<float> random_values(Rng& rng, size_t count, float bound) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform_symmetric(bound);
  return v;
}

// ---- softmax cross-entropy ----------------------------------------------------------------

// Row 0: log(e + e² + e³) - 3; row 1: three equal logits, log 3. Expected values from the
// formulas in double; float results are within a few ulps (tolerance 1e-6 on values ≤ 1.6).
TEST(SoftmaxCrossEntropy, matches_hand_computed_values_and_gradient) {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f, 1.0f, 1.0f, 1.0f};
  const int32_t labels[] = {2, 0};
  std::vector<float> grad(6, NAN);
  float loss = NAN;
  ASSERT_TRUE(softmax_cross_entropy(TensorView::matrix(logits.data(), 2, 3), labels, Reduction::mean, &loss,
                                    TensorView::matrix(grad.data(), 2, 3))
                  .ok());
  EXPECT_NEAR(loss, (0.40760596444438013 + 1.0986122886681098) / 2, 1e-6);
  const double softmax0[] = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};
  EXPECT_NEAR(grad[0], softmax0[0] / 2, 1e-7);
  EXPECT_NEAR(grad[1], softmax0[1] / 2, 1e-7);
  EXPECT_NEAR(grad[2], (softmax0[2] - 1) / 2, 1e-7);
  EXPECT_NEAR(grad[3], (1.0 / 3 - 1) / 2, 1e-7);
  EXPECT_NEAR(grad[4], 1.0 / 6, 1e-7);
  EXPECT_NEAR(grad[5], 1.0 / 6, 1e-7);
}

// Central differences of the value-only call. The loss is a float of order 2 (rounding ~2e-7,
// over 2h = 2e-2: 1e-5) and smooth, with a truncation error h²·f'''/6 near 3e-5 (the worst
// seen): tolerance 1e-4 + 1e-3·|g|.
TEST(SoftmaxCrossEntropy, gradient_matches_finite_differences_for_mean_and_sum) {
  Rng rng(21);
  constexpr int32_t kBatch = 3, kClasses = 7;
  std::vector<float> logits = random_values(rng, kBatch * kClasses, 4.0f);
  const int32_t labels[kBatch] = {6, 0, 3};
  for (Reduction reduction : {Reduction::mean, Reduction::sum}) {
    SCOPED_TRACE(reduction == Reduction::mean ? "mean" : "sum");
    const auto loss = [&] {
      float value = NAN;
      EXPECT_TRUE(softmax_cross_entropy(TensorView::matrix(logits.data(), kBatch, kClasses), labels, reduction,
                                        &value, TensorView{})
                      .ok());
      return static_cast<double>(value);
    };
    const testing::NumericalGradient numerical = testing::numerical_gradient(loss, logits);
    std::vector<float> grad(logits.size());
    ASSERT_TRUE(softmax_cross_entropy(TensorView::matrix(logits.data(), kBatch, kClasses), labels, reduction,
                                      nullptr, TensorView::matrix(grad.data(), kBatch, kClasses))
                    .ok());
    EXPECT_TRUE(testing::gradients_agree("dlogits", grad, numerical, {1e-4, 1e-3}));
  }
}

TEST(SoftmaxCrossEntropy, sum_is_batch_times_mean_in_value_and_gradient) {
  Rng rng(22);
  const std::vector<float> logits = random_values(rng, 4 * 5, 3.0f);
  const int32_t labels[] = {1, 4, 0, 2};
  const TensorView view = TensorView::matrix(logits.data(), 4, 5);
  std::vector<float> grad_mean(logits.size()), grad_sum(logits.size());
  float mean = NAN, sum = NAN;
  ASSERT_TRUE(softmax_cross_entropy(view, labels, Reduction::mean, &mean, TensorView::matrix(grad_mean.data(), 4, 5)).ok());
  ASSERT_TRUE(softmax_cross_entropy(view, labels, Reduction::sum, &sum, TensorView::matrix(grad_sum.data(), 4, 5)).ok());
  // Dividing by 4 is exact in float, so the two agree bit for bit.
  EXPECT_EQ(sum, 4.0f * mean);
  for (size_t i = 0; i < grad_sum.size(); ++i) EXPECT_EQ(grad_sum[i], 4.0f * grad_mean[i]) << i;
}

// ±1e4 would overflow expf without the max subtracted; the answers are exact limits here.
TEST(SoftmaxCrossEntropy, extreme_logits_stay_finite) {
  const std::vector<float> logits = {1e4f, -1e4f, 0.0f, 1e4f, -1e4f, 0.0f};
  const int32_t labels[] = {1, 0};
  std::vector<float> grad(6);
  float loss = NAN;
  ASSERT_TRUE(softmax_cross_entropy(TensorView::matrix(logits.data(), 2, 3), labels, Reduction::sum, &loss,
                                    TensorView::matrix(grad.data(), 2, 3))
                  .ok());
  ASSERT_TRUE(std::isfinite(loss));
  EXPECT_EQ(loss, 2e4f);  // the wrong label at -1e4: loss 2e4; the right one: 0
  EXPECT_EQ(grad, (std::vector<float>{1.0f, -1.0f, 0.0f, 0.0f, 0.0f, 0.0f}));
}

TEST(SoftmaxCrossEntropy, value_only_and_gradient_only_calls) {
  const std::vector<float> logits = {0.5f, -1.0f, 2.0f};
  const int32_t labels[] = {0};
  const TensorView view = TensorView::matrix(logits.data(), 1, 3);
  float full_loss = NAN, value_only = NAN;
  std::vector<float> full_grad(3), grad_only(3, NAN);
  ASSERT_TRUE(softmax_cross_entropy(view, labels, Reduction::mean, &full_loss, TensorView::matrix(full_grad.data(), 1, 3)).ok());
  ASSERT_TRUE(softmax_cross_entropy(view, labels, Reduction::mean, &value_only, TensorView{}).ok());
  ASSERT_TRUE(softmax_cross_entropy(view, labels, Reduction::mean, nullptr, TensorView::matrix(grad_only.data(), 1, 3)).ok());
  EXPECT_EQ(value_only, full_loss);
  EXPECT_EQ(grad_only, full_grad);
}

TEST(SoftmaxCrossEntropy, in_place_gradient_replaces_the_logits) {
  Rng rng(23);
  const std::vector<float> logits = random_values(rng, 3 * 4, 5.0f);
  const int32_t labels[] = {3, 3, 1};
  std::vector<float> grad(logits.size()), in_place = logits;
  float loss = NAN, loss_in_place = NAN;
  ASSERT_TRUE(softmax_cross_entropy(TensorView::matrix(logits.data(), 3, 4), labels, Reduction::mean, &loss,
                                    TensorView::matrix(grad.data(), 3, 4))
                  .ok());
  const TensorView both = TensorView::matrix(in_place.data(), 3, 4);
  ASSERT_TRUE(softmax_cross_entropy(both, labels, Reduction::mean, &loss_in_place, both).ok());
  EXPECT_EQ(loss_in_place, loss);
  EXPECT_EQ(in_place, grad);
}

TEST(SoftmaxCrossEntropy, labels_outside_the_classes_are_refused_before_anything_is_written) {
  const std::vector<float> logits = {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f};
  std::vector<float> grad(6, 7.0f);
  float loss = 7.0f;
  const TensorView view = TensorView::matrix(logits.data(), 2, 3);
  const TensorView grad_view = TensorView::matrix(grad.data(), 2, 3);
  const int32_t too_large[] = {0, 3};
  Status s = softmax_cross_entropy(view, too_large, Reduction::mean, &loss, grad_view);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_EQ(status_text(s),
            "invalid argument: softmax cross-entropy: labels: a label is outside [0, classes) (got 3, expected 3)");
  const int32_t negative[] = {-1, 0};
  s = softmax_cross_entropy(view, negative, Reduction::mean, &loss, grad_view);
  EXPECT_EQ(s.got(), -1);
  EXPECT_EQ(s.expected(), 3);
  EXPECT_EQ(loss, 7.0f);
  EXPECT_EQ(grad, std::vector<float>(6, 7.0f));
}

TEST(SoftmaxCrossEntropy, names_shape_and_argument_problems) {
  std::vector<float> logits(12, 0.0f), grad(12);
  const int32_t labels[] = {0, 0, 0, 0};
  const TensorView view = TensorView::matrix(logits.data(), 3, 4);
  float loss = 0.0f;
  EXPECT_EQ(status_text(softmax_cross_entropy(view, labels, Reduction::mean, &loss, TensorView::matrix(grad.data(), 2, 4))),
            "shape mismatch: softmax cross-entropy: dlogits: batch size differs (got 2, expected 3)");
  EXPECT_EQ(status_text(softmax_cross_entropy(view, labels, Reduction::mean, &loss, TensorView::matrix(grad.data(), 3, 3))),
            "shape mismatch: softmax cross-entropy: dlogits: channel count differs (got 3, expected 4)");
  EXPECT_EQ(status_text(softmax_cross_entropy(TensorView::dense(logits.data(), Shape{1, 3, 2, 2}), labels,
                                              Reduction::mean, &loss, TensorView{})),
            "shape mismatch: softmax cross-entropy: logits: must be n x classes (h and w must be 1) (got 4, expected 1)");
  EXPECT_EQ(status_text(softmax_cross_entropy(view, nullptr, Reduction::mean, &loss, TensorView{})),
            "invalid argument: softmax cross-entropy: labels is null");
  EXPECT_EQ(status_text(softmax_cross_entropy(TensorView{}, labels, Reduction::mean, &loss, TensorView{})),
            "invalid argument: softmax cross-entropy: logits: data is null");
  EXPECT_EQ(status_text(softmax_cross_entropy(view, labels, static_cast<Reduction>(9), &loss, TensorView{})),
            "invalid argument: softmax cross-entropy: reduction must be mean or sum");
  EXPECT_EQ(status_text(softmax_cross_entropy(TensorView::matrix(logits.data(), 2, 4), labels, Reduction::mean, &loss,
                                              TensorView::matrix(logits.data() + 1, 2, 4))),
            "invalid argument: softmax cross-entropy: dlogits overlaps logits without being logits (only exact "
            "in-place is allowed)");
}

// ---- MSE and L1 -----------------------------------------------------------------------------

// pred - target = {1, 0, -2, 0.5}: every result below is exact in float.
const std::vector<float> kPred = {1.0f, 2.0f, 3.0f, 4.0f};
const std::vector<float> kTarget = {0.0f, 2.0f, 5.0f, 3.5f};
constexpr Shape kPairShape{2, 2, 1, 1};

TEST(MseLoss, matches_hand_computed_values_for_mean_and_sum) {
  std::vector<float> grad(4);
  float loss = NAN;
  const TensorView pred = TensorView::dense(kPred.data(), kPairShape);
  const TensorView target = TensorView::dense(kTarget.data(), kPairShape);
  ASSERT_TRUE(mse_loss(pred, target, Reduction::mean, &loss, TensorView::dense(grad.data(), kPairShape)).ok());
  EXPECT_EQ(loss, 5.25f / 4);  // PyTorch's mean is over every element, not over the batch
  EXPECT_EQ(grad, (std::vector<float>{0.5f, 0.0f, -1.0f, 0.25f}));
  ASSERT_TRUE(mse_loss(pred, target, Reduction::sum, &loss, TensorView::dense(grad.data(), kPairShape)).ok());
  EXPECT_EQ(loss, 5.25f);
  EXPECT_EQ(grad, (std::vector<float>{2.0f, 0.0f, -4.0f, 1.0f}));
}

TEST(L1Loss, matches_hand_computed_values_and_is_flat_where_pred_equals_target) {
  std::vector<float> grad(4, NAN);
  float loss = NAN;
  const TensorView pred = TensorView::dense(kPred.data(), kPairShape);
  const TensorView target = TensorView::dense(kTarget.data(), kPairShape);
  ASSERT_TRUE(l1_loss(pred, target, Reduction::mean, &loss, TensorView::dense(grad.data(), kPairShape)).ok());
  EXPECT_EQ(loss, 3.5f / 4);
  EXPECT_EQ(grad, (std::vector<float>{0.25f, 0.0f, -0.25f, 0.25f}));
  ASSERT_TRUE(l1_loss(pred, target, Reduction::sum, &loss, TensorView::dense(grad.data(), kPairShape)).ok());
  EXPECT_EQ(loss, 3.5f);
  EXPECT_EQ(grad, (std::vector<float>{1.0f, 0.0f, -1.0f, 1.0f}));
}

// Both losses over a 4-D shape. MSE is quadratic and L1 linear away from pred == target (the data
// keep at least 0.2 away, more than h = 1e-2·max(1, |pred|) ≤ 0.02), so central differences are
// exact but for rounding: the loss comes back as a float, and the sum of 48 squares reaches ~25,
// whose rounding (~4e-6) over 2h is up to 2e-4 (1.2e-4 seen). Tolerance 1e-3 + 1e-3·|g|.
TEST(PointwiseLosses, gradients_match_finite_differences_away_from_equality) {
  Rng rng(24);
  const Shape shape{2, 3, 2, 2};
  const size_t count = static_cast<size_t>(shape.elements());
  std::vector<float> pred = random_values(rng, count, 2.0f);
  std::vector<float> target(count);
  for (size_t i = 0; i < count; ++i) {
    const float offset = rng.uniform_symmetric(1.0f);
    target[i] = pred[i] + (offset < 0 ? offset - 0.2f : offset + 0.2f);
  }
  using LossFn = Status (*)(const TensorView&, const TensorView&, Reduction, float*, const TensorView&);
  for (LossFn fn : {LossFn{mse_loss}, LossFn{l1_loss}})
    for (Reduction reduction : {Reduction::mean, Reduction::sum}) {
      SCOPED_TRACE(fn == mse_loss ? "mse" : "l1");
      SCOPED_TRACE(reduction == Reduction::mean ? "mean" : "sum");
      const auto loss = [&] {
        float value = NAN;
        EXPECT_TRUE(fn(TensorView::dense(pred.data(), shape), TensorView::dense(target.data(), shape), reduction,
                       &value, TensorView{})
                        .ok());
        return static_cast<double>(value);
      };
      const testing::NumericalGradient numerical = testing::numerical_gradient(loss, pred);
      std::vector<float> grad(count);
      ASSERT_TRUE(fn(TensorView::dense(pred.data(), shape), TensorView::dense(target.data(), shape), reduction,
                     nullptr, TensorView::dense(grad.data(), shape))
                      .ok());
      EXPECT_TRUE(testing::gradients_agree("dpred", grad, numerical, {1e-3, 1e-3}));
    }
}

TEST(PointwiseLosses, in_place_gradient_over_pred_and_value_only_calls) {
  std::vector<float> grad(4), in_place = kPred;
  float loss = NAN, value_only = NAN;
  const TensorView target = TensorView::dense(kTarget.data(), kPairShape);
  ASSERT_TRUE(mse_loss(TensorView::dense(kPred.data(), kPairShape), target, Reduction::mean, &loss,
                       TensorView::dense(grad.data(), kPairShape))
                  .ok());
  const TensorView both = TensorView::dense(in_place.data(), kPairShape);
  ASSERT_TRUE(mse_loss(both, target, Reduction::mean, nullptr, both).ok());
  EXPECT_EQ(in_place, grad);
  ASSERT_TRUE(l1_loss(TensorView::dense(kPred.data(), kPairShape), target, Reduction::sum, &value_only, TensorView{}).ok());
  EXPECT_EQ(value_only, 3.5f);
}

TEST(PointwiseLosses, name_shape_and_argument_problems) {
  std::vector<float> a(8, 1.0f), b(8, 2.0f), g(8);
  const TensorView pred = TensorView::dense(a.data(), kPairShape);
  float loss = 0.0f;
  EXPECT_EQ(status_text(mse_loss(pred, TensorView::dense(b.data(), Shape{2, 3, 1, 1}), Reduction::mean, &loss, TensorView{})),
            "shape mismatch: mse loss: target: channel count differs (got 3, expected 2)");
  EXPECT_EQ(status_text(l1_loss(pred, TensorView::dense(b.data(), kPairShape), Reduction::mean, &loss,
                                TensorView::dense(g.data(), Shape{4, 1, 1, 1}))),
            "shape mismatch: l1 loss: dpred: batch size differs (got 4, expected 2)");
  EXPECT_EQ(status_text(mse_loss(TensorView{}, pred, Reduction::mean, &loss, TensorView{})),
            "invalid argument: mse loss: pred: data is null");
  EXPECT_EQ(status_text(l1_loss(pred, TensorView{}, Reduction::sum, &loss, TensorView{})),
            "invalid argument: l1 loss: target: data is null");
  EXPECT_EQ(status_text(mse_loss(pred, pred, static_cast<Reduction>(3), &loss, TensorView{})),
            "invalid argument: mse loss: reduction must be mean or sum");
  EXPECT_EQ(status_text(l1_loss(pred, TensorView::dense(b.data(), kPairShape), Reduction::mean, &loss,
                                TensorView::dense(b.data() + 2, kPairShape))),
            "invalid argument: l1 loss: dpred overlaps pred or target without being it (only exact in-place is allowed)");
}

// ---- argmax_class ---------------------------------------------------------------------------

TEST(ArgmaxClass, picks_the_first_largest_logit_and_rejects_bad_samples) {
  const std::vector<float> logits = {0.1f, 0.7f, 0.7f, -1.0f, -5.0f, -2.0f, -3.0f, -4.0f};
  const TensorView view = TensorView::matrix(logits.data(), 2, 4);
  EXPECT_EQ(argmax_class(view, 0), 1);
  EXPECT_EQ(argmax_class(view, 1), 1);
  EXPECT_EQ(argmax_class(view, 2), -1);
  EXPECT_EQ(argmax_class(view, -1), -1);
  EXPECT_EQ(argmax_class(TensorView{}, 0), -1);
}

}  // namespace
}  // namespace utrain
