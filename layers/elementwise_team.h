// Splitting an element-wise loop (residual add, activations, optimizer updates) over the team.
//
// Elements are dealt out in chunks of whole cache lines (16 floats), so no two members ever
// write to the same line. Every element is computed by the same code whichever member runs it,
// so the result does not depend on the team's size.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/arith.h"
#include "core/partition.h"
#include "core/status.h"
#include "kernels/exec_context.h"

namespace utrain {

// Floats in one 64-byte cache line.
inline constexpr int64_t kElementwiseChunk = 16;

// Below this many chunks per member, the caller runs the whole loop alone. A fork/join wakes
// every member (microseconds on the host's thread pool, a wake-up interrupt per hart on rv32),
// while a share of one chunk is tens of instructions: small arrays such as a bias of 8 or 128
// floats would spend more on waking the team than on their work.
inline constexpr int64_t kElementwiseMinChunksPerMember = 2;

// Runs f(begin, end) over the team's shares of [0, count) elements; f must accept any
// sub-range, and may be called on the caller alone with the whole range. Requires ctx.team (the
// caller checks the context first).
template <class F>
Status run_elementwise(const ExecContext& ctx, int64_t count, const char* subject, const F& f) {
  const int64_t chunks = div_ceil(count, kElementwiseChunk);
  if (chunks > INT32_MAX)
    return Status::error(StatusCode::unsupported, "tensor has too many elements to split").about(subject);
  if (chunks < kElementwiseMinChunksPerMember * ctx.team->size()) {
    f(size_t{0}, static_cast<size_t>(count));
    return ok_status();
  }
  team_run(*ctx.team, [&](int member, int size) {
    const Range share = partition(static_cast<int32_t>(chunks), member, size, 1);
    f(static_cast<size_t>(min_of(count, share.begin * kElementwiseChunk)),
      static_cast<size_t>(min_of(count, share.end * kElementwiseChunk)));
  });
  return ok_status();
}

}  // namespace utrain
