#include "layers/loss.h"

#include <math.h>

#include "layers/elementwise_checks.h"
#include "layers/unrolled_loop.h"

namespace utrain {

namespace {

Status check_reduction(Reduction r) {
  UT_CHECK(r == Reduction::mean || r == Reduction::sum, StatusCode::invalid_argument,
           "reduction must be mean or sum");
  return ok_status();
}

// The gradient view is optional: absent (data == nullptr) or shaped like the input it belongs to.
Status check_optional_gradient(const TensorView& grad, const TensorView& input, const char* subject) {
  if (grad.data == nullptr) return ok_status();
  UT_TRY(check_dense_f32(grad, subject));
  return check_same_shape(grad, input, subject);
}

// The texts a pointwise loss names its problems with; static, since Status keeps pointers.
struct PointwiseLossNames {
  const char* loss;
  const char* pred;
  const char* target;
  const char* dpred;
  const char* dpred_overlap;
};

constexpr PointwiseLossNames kMseNames{
    "mse loss", "mse loss: pred", "mse loss: target", "mse loss: dpred",
    "mse loss: dpred overlaps pred or target without being it (only exact in-place is allowed)"};
constexpr PointwiseLossNames kL1Names{
    "l1 loss", "l1 loss: pred", "l1 loss: target", "l1 loss: dpred",
    "l1 loss: dpred overlaps pred or target without being it (only exact in-place is allowed)"};

// Each element's loss as a function of d = pred - target; its derivative is
// derivative_scale · direction(d), split so that the constant joins the reduction's 1/N once
// per call, as PyTorch's backward does.
struct SquaredError {
  static float value(float d) { return d * d; }
  static constexpr float derivative_scale = 2.0f;
  static float direction(float d) { return d; }
};

struct AbsoluteError {
  static float value(float d) { return fabsf(d); }
  static constexpr float derivative_scale = 1.0f;
  // sign(d), and 0 where pred == target: PyTorch's subgradient choice for |d|.
  static float direction(float d) { return d > 0.0f ? 1.0f : d < 0.0f ? -1.0f : 0.0f; }
};

template <class ElementLoss>
Status pointwise_loss(const PointwiseLossNames& names, const TensorView& pred, const TensorView& target,
                      Reduction reduction, float* loss_out, const TensorView& dpred) {
  UT_TRY(check_reduction(reduction).about(names.loss));
  UT_TRY(check_dense_f32(pred, names.pred));
  UT_TRY(check_dense_f32(target, names.target));
  UT_TRY(check_same_shape(target, pred, names.target));
  UT_TRY(check_optional_gradient(dpred, pred, names.dpred));
  const bool want_grad = dpred.data != nullptr;
  UT_CHECK(!want_grad || (!overlaps_partially(dpred, pred) && !overlaps_partially(dpred, target)),
           StatusCode::invalid_argument, names.dpred_overlap);

  const size_t count = static_cast<size_t>(pred.elements());
  // PyTorch's 'mean' averages over every element, not over the batch.
  const float divisor = reduction == Reduction::mean ? static_cast<float>(count) : 1.0f;
  const float grad_scale = ElementLoss::derivative_scale / divisor;
  const float* p = pred.f32();
  const float* t = target.f32();
  float* g = want_grad ? dpred.f32() : nullptr;
  // Unrolled, and a loop for each case: the Deep AutoEncoder's 640 outputs took 10.7
  // instructions a value on rv32 (on hart 0 alone), now 7.2. The sum keeps its order.
  float total = 0.0f;
  if (want_grad)
    for_each_unrolled(count, [&](size_t i) {
      const float d = p[i] - t[i];
      total += ElementLoss::value(d);
      g[i] = ElementLoss::direction(d) * grad_scale;
    });
  else
    for_each_unrolled(count, [&](size_t i) { total += ElementLoss::value(p[i] - t[i]); });
  if (loss_out != nullptr) *loss_out = total / divisor;
  return ok_status();
}

}  // namespace

Status softmax_cross_entropy(const TensorView& logits, const int32_t* labels, Reduction reduction,
                             float* loss_out, const TensorView& dlogits) {
  UT_TRY(check_reduction(reduction).about("softmax cross-entropy"));
  UT_TRY(check_dense_f32(logits, "softmax cross-entropy: logits"));
  // PyTorch reads an n × C × H × W input as one class vector per pixel; only n × classes is
  // supported here, so anything else is refused rather than silently read another way.
  if (logits.shape.h != 1 || logits.shape.w != 1)
    return Status::error(StatusCode::shape_mismatch, "must be n x classes (h and w must be 1)",
                         int64_t{logits.shape.h} * logits.shape.w, 1)
        .about("softmax cross-entropy: logits");
  UT_CHECK(labels != nullptr, StatusCode::invalid_argument, "softmax cross-entropy: labels is null");
  UT_TRY(check_optional_gradient(dlogits, logits, "softmax cross-entropy: dlogits"));
  const bool want_grad = dlogits.data != nullptr;
  UT_CHECK(!want_grad || !overlaps_partially(dlogits, logits), StatusCode::invalid_argument,
           "softmax cross-entropy: dlogits overlaps logits without being logits (only exact in-place is allowed)");

  const int32_t batch = logits.shape.n;
  const int32_t classes = logits.shape.c;
  // Every label is checked before anything is written, so a bad batch leaves the outputs as they were.
  for (int32_t s = 0; s < batch; ++s)
    if (labels[s] < 0 || labels[s] >= classes)
      return Status::error(StatusCode::invalid_argument, "a label is outside [0, classes)", labels[s], classes)
          .about("softmax cross-entropy: labels");

  const float divisor = reduction == Reduction::mean ? static_cast<float>(batch) : 1.0f;
  float total = 0.0f;
  for (int32_t s = 0; s < batch; ++s) {
    const float* row = logits.f32() + static_cast<intptr_t>(s) * classes;
    float* grad_row = want_grad ? dlogits.f32() + static_cast<intptr_t>(s) * classes : nullptr;
    float max_logit = row[0];
    for (int32_t j = 1; j < classes; ++j) max_logit = row[j] > max_logit ? row[j] : max_logit;
    // Read before the gradient may overwrite it (dlogits may be logits itself).
    const float label_logit = row[labels[s]];
    // Shifted by the largest logit, every exponent is ≤ 0: no overflow, and the sum is ≥ 1, so
    // its log is finite. The exponentials are parked in the gradient row to be normalised below.
    float sum_exp = 0.0f;
    for (int32_t j = 0; j < classes; ++j) {
      const float e = expf(row[j] - max_logit);
      sum_exp += e;
      if (want_grad) grad_row[j] = e;
    }
    total += logf(sum_exp) - (label_logit - max_logit);
    if (want_grad) {
      for (int32_t j = 0; j < classes; ++j) {
        const float onehot = j == labels[s] ? 1.0f : 0.0f;
        grad_row[j] = (grad_row[j] / sum_exp - onehot) / divisor;
      }
    }
  }
  if (loss_out != nullptr) *loss_out = total / divisor;
  return ok_status();
}

Status mse_loss(const TensorView& pred, const TensorView& target, Reduction reduction, float* loss_out,
                const TensorView& dpred) {
  return pointwise_loss<SquaredError>(kMseNames, pred, target, reduction, loss_out, dpred);
}

Status l1_loss(const TensorView& pred, const TensorView& target, Reduction reduction, float* loss_out,
               const TensorView& dpred) {
  return pointwise_loss<AbsoluteError>(kL1Names, pred, target, reduction, loss_out, dpred);
}

int32_t argmax_class(const TensorView& logits, int32_t sample) {
  if (!check_dense_f32(logits, "argmax").ok() || sample < 0 || sample >= logits.shape.n) return -1;
  const int64_t classes = logits.shape.per_sample();
  const float* row = logits.f32() + sample * classes;
  int32_t best = 0;
  for (int64_t j = 1; j < classes; ++j)
    if (row[j] > row[best]) best = static_cast<int32_t>(j);
  return best;
}

}  // namespace utrain
