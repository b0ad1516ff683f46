#include "layers/layer_checks.h"

#include <math.h>

namespace utrain {

Status check_context(const ExecContext& ctx, const char* subject) {
  if (ctx.team == nullptr) return Status::error(StatusCode::invalid_argument, "the context has no team").about(subject);
  return ok_status();
}

Status check_layout_value(Layout layout, const char* subject) {
  if (layout != Layout::chw && layout != Layout::hwc)
    return Status::error(StatusCode::invalid_argument, "layout must be CHW or HWC").about(subject);
  return ok_status();
}

Status check_layer_tensor(const TensorView& t, Layout layout, const char* subject) {
  UT_TRY(check_dense_f32(t, subject));
  if (t.layout != layout)
    return Status::error(StatusCode::shape_mismatch, "layout differs from the layer's").about(subject);
  return ok_status();
}

Status check_channel_tensor(const TensorView& t, int32_t channels, Layout layout, const char* subject) {
  UT_TRY(check_layer_tensor(t, layout, subject));
  if (t.shape.c != channels)
    return Status::error(StatusCode::shape_mismatch, "channel count differs from the layer's", t.shape.c, channels)
        .about(subject);
  return ok_status();
}

Status check_norm_eps(float eps, const char* subject) {
  // Written so that NaN fails too.
  if (!(eps > 0.0f && eps < INFINITY))
    return Status::error(StatusCode::invalid_argument, "eps must be positive and finite").about(subject);
  return ok_status();
}

}  // namespace utrain
