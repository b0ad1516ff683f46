#include "layers/elementwise_checks.h"

#include <stdint.h>

namespace utrain {

Status check_same_shape(const TensorView& t, const TensorView& reference, const char* subject) {
  const Shape& got = t.shape;
  const Shape& want = reference.shape;
  if (got.n != want.n)
    return Status::error(StatusCode::shape_mismatch, "batch size differs", got.n, want.n).about(subject);
  if (got.c != want.c)
    return Status::error(StatusCode::shape_mismatch, "channel count differs", got.c, want.c).about(subject);
  if (got.h != want.h)
    return Status::error(StatusCode::shape_mismatch, "height differs", got.h, want.h).about(subject);
  if (got.w != want.w)
    return Status::error(StatusCode::shape_mismatch, "width differs", got.w, want.w).about(subject);
  // Same shape in another layout puts element (n, c, h, w) at another offset.
  if (t.layout != reference.layout)
    return Status::error(StatusCode::shape_mismatch, "layout differs (CHW against HWC)").about(subject);
  return ok_status();
}

bool overlaps_partially(const TensorView& a, const TensorView& b) {
  const uintptr_t a_begin = reinterpret_cast<uintptr_t>(a.data);
  const uintptr_t b_begin = reinterpret_cast<uintptr_t>(b.data);
  if (a_begin == b_begin) return false;
  return a_begin < b_begin + b.bytes() && b_begin < a_begin + a.bytes();
}

}  // namespace utrain
