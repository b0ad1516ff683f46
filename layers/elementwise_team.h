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

// Below this many chunks per member, the caller runs the whole loop alone. On the host a fork/join
// wakes every thread of the pool (a microsecond or more) while a chunk's work takes nanoseconds,
// so small arrays such as a bias of 8 or 128 floats stay on the caller. On rv32's harts a
// fork/join costs hart 0 some hundreds of instructions and one chunk a member already pays: a
// 128-float ReLU gradient on 8 harts takes 839 cycles split against 1,381 alone, and the Deep
// AutoEncoder's 8-hart step 1.8% fewer cycles than with 2 chunks a member (measured in QEMU).
#if defined(__riscv)
inline constexpr int64_t kElementwiseMinChunksPerMember = 1;
#else
inline constexpr int64_t kElementwiseMinChunksPerMember = 2;
#endif

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
