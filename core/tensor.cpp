#include "core/tensor.h"

namespace utrain {

Status check_dense_f32(const TensorView& t, const char* subject) {
  if (t.data == nullptr) return Status::error(StatusCode::invalid_argument, "data is null").about(subject);
  if (t.dtype != DType::f32)
    return Status::error(StatusCode::unsupported, "dtype must be f32").about(subject);
  if (t.shape.n <= 0 || t.shape.c <= 0 || t.shape.h <= 0 || t.shape.w <= 0)
    return Status::error(StatusCode::invalid_argument, "every dimension must be positive").about(subject);
  if (!t.is_dense())
    return Status::error(StatusCode::unsupported, "strided views are not supported here").about(subject);
  return ok_status();
}

}  // namespace utrain
