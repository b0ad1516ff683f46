#include "kernels/conv/conv_shape.h"

namespace utrain {

Status check_conv_shape(const ConvShape& s, const char* subject) {
  if (s.batch < 1 || s.in_channels < 1 || s.out_channels < 1)
    return Status::error(StatusCode::invalid_argument, "batch and channels must be positive").about(subject);
  if (s.in_h < 1 || s.in_w < 1 || s.out_h < 1 || s.out_w < 1)
    return Status::error(StatusCode::invalid_argument, "heights and widths must be positive").about(subject);
  int32_t natural_h = 0, natural_w = 0;
  UT_TRY(window2d_output(s.window, s.in_h, s.in_w, &natural_h, &natural_w, subject));
  if (s.out_h > natural_h)
    return Status::error(StatusCode::shape_mismatch, "output height exceeds the window's", s.out_h, natural_h)
        .about(subject);
  if (s.out_w > natural_w)
    return Status::error(StatusCode::shape_mismatch, "output width exceeds the window's", s.out_w, natural_w)
        .about(subject);
  // Matrix dimensions and leading dimensions are int32 in the matrix-multiply interface. Each
  // product below multiplies factors already known to be within int32, so none overflows int64.
  const int64_t limit = INT32_MAX;
  const int64_t k = int64_t{s.in_channels} * s.window.kernel_h * s.window.kernel_w;
  const int64_t positions = int64_t{s.out_h} * s.out_w;
  if (k > limit || positions > limit || positions * s.batch > limit || k * s.out_channels > limit ||
      k * positions > limit)
    return Status::error(StatusCode::invalid_argument, "the lowered matrices exceed int32 sizes").about(subject);
  return ok_status();
}

}  // namespace utrain
