#include "core/window2d.h"

namespace utrain {

Status check_window2d(const Window2d& w, const char* subject) {
  if (w.kernel_h < 1 || w.kernel_w < 1)
    return Status::error(StatusCode::invalid_argument, "kernel size must be positive",
                         w.kernel_h < 1 ? w.kernel_h : w.kernel_w, 1)
        .about(subject);
  if (w.stride_h < 1 || w.stride_w < 1)
    return Status::error(StatusCode::invalid_argument, "stride must be positive",
                         w.stride_h < 1 ? w.stride_h : w.stride_w, 1)
        .about(subject);
  if (w.dilation_h < 1 || w.dilation_w < 1)
    return Status::error(StatusCode::invalid_argument, "dilation must be positive",
                         w.dilation_h < 1 ? w.dilation_h : w.dilation_w, 1)
        .about(subject);
  if (w.pad.top < 0 || w.pad.bottom < 0 || w.pad.left < 0 || w.pad.right < 0)
    return Status::error(StatusCode::invalid_argument, "padding must not be negative").about(subject);
  return ok_status();
}

Status window2d_output(const Window2d& w, int32_t in_h, int32_t in_w, int32_t* out_h, int32_t* out_w,
                       const char* subject) {
  UT_TRY(check_window2d(w, subject));
  const int32_t span_h = w.dilation_h * (w.kernel_h - 1) + 1, span_w = w.dilation_w * (w.kernel_w - 1) + 1;
  if (in_h + w.pad.top + w.pad.bottom < span_h)
    return Status::error(StatusCode::shape_mismatch, "padded input height is smaller than the window",
                         in_h + w.pad.top + w.pad.bottom, span_h)
        .about(subject);
  if (in_w + w.pad.left + w.pad.right < span_w)
    return Status::error(StatusCode::shape_mismatch, "padded input width is smaller than the window",
                         in_w + w.pad.left + w.pad.right, span_w)
        .about(subject);
  *out_h = w.out_h(in_h);
  *out_w = w.out_w(in_w);
  return ok_status();
}

}  // namespace utrain
