// Workspace: caller-provided scratch memory for one call of a primitive.
//
// Every primitive that needs scratch has a pure size function beside it,
//   size_t conv2d_workspace_bytes(step, params, input)   next to   conv2d_forward(..., workspace)
// and both derive their decisions (algorithm, buffer shapes) from the same helper, so the
// planner's total can never disagree with what runs. A call checks that the workspace it got is
// at least that size and fails with out_of_memory otherwise; it never allocates.
#pragma once
#include <stddef.h>

#include "core/status.h"

namespace utrain {

struct Workspace {
  void* data = nullptr;
  size_t bytes = 0;

  float* f32() const { return static_cast<float*>(data); }
};

// `ws` must hold `needed` bytes (null data is fine when nothing is needed).
constexpr Status check_workspace(const Workspace& ws, size_t needed, const char* subject) {
  if (needed == 0) return ok_status();
  if (ws.data == nullptr)
    return Status::error(StatusCode::out_of_memory, "workspace is null", 0, static_cast<int64_t>(needed))
        .about(subject);
  if (ws.bytes < needed)
    return Status::error(StatusCode::out_of_memory, "workspace is too small",
                         static_cast<int64_t>(ws.bytes), static_cast<int64_t>(needed))
        .about(subject);
  return ok_status();
}

}  // namespace utrain
