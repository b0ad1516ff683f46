// Losses: each computes the loss value and, in the same pass, the gradient with respect to its
// input, as PyTorch does with reduction='mean' (or 'sum').
//
// - softmax_cross_entropy: logits n × classes, one class index per sample; softmax fused with the
//   negative log-likelihood, computed stably (max subtracted, log-sum-exp), so the gradient is
//   (softmax - onehot) / n without ever forming log(0). Labels outside [0, classes) are an error.
// - mse:  mean of (pred - target)² over every element.
// - l1:   mean of |pred - target|; its gradient at pred == target is 0 (PyTorch's choice).
//
// The gradient output may be a null view (data == nullptr) when only the value is wanted
// (evaluation). loss_out may be null when only the gradient is wanted.
#pragma once
#include <stdint.h>

#include "core/status.h"
#include "core/tensor.h"

namespace utrain {

enum class Reduction : uint8_t { mean, sum };

Status softmax_cross_entropy(const TensorView& logits, const int32_t* labels, Reduction reduction,
                             float* loss_out, const TensorView& dlogits);

Status mse_loss(const TensorView& pred, const TensorView& target, Reduction reduction,
                float* loss_out, const TensorView& dpred);

Status l1_loss(const TensorView& pred, const TensorView& target, Reduction reduction,
               float* loss_out, const TensorView& dpred);

// Index of the largest logit of sample `sample` (the predicted class); first one on ties. -1 when
// logits is not a dense f32 view or sample is outside [0, n).
int32_t argmax_class(const TensorView& logits, int32_t sample);

}  // namespace utrain
