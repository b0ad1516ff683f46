// Split-K: a product whose C has fewer tiles along the kernel's parallel axis than the team has
// members leaves members idle (ResNet8's first weight gradient, 16 x 27 outputs over K = 1024:
// four 4-row tiles for 8 harts). Split along K instead: every member runs the kernel alone on
// its slice of K into partial sums on its own stack, then, after a barrier, each member adds
// all members' partials for its rows of C and applies the epilogue (accumulate, bias,
// activation), and a second barrier keeps every partial alive until the last read.
//
// The partials are a small register-tile-like buffer on each member's stack (as BLIS keeps an
// edge tile), so C's size is bounded (kSplitKFloats) and no workspace has to be planned.
#pragma once
#include <stdint.h>

#include "core/team.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/mm/matmul_kernel.h"

namespace utrain {

constexpr int32_t kSplitKFloats = 512;   // 2 KB of a hart's 16 KB stack
constexpr int32_t kSplitKMinSteps = 64;  // a member's slice: shorter ones would not repay the sum
constexpr int kSplitKMaxMembers = 64;    // the partials' addresses are kept in an array this long

// Whether `team_size` members run `kernel` on (normalized) p split along K: only when some
// members would have no tile of C, C fits a member's partial buffer and every member's slice of
// K has at least kSplitKMinSteps steps.
// Written in line: the front end asks before every product, and a call cost small ones 1-2%.
inline bool splits_k(const MatMulArgs& p, const MatMulKernel& kernel, int team_size) {
  if (team_size < 2 || team_size > kSplitKMaxMembers) return false;
  if (static_cast<int64_t>(p.m) * p.n > kSplitKFloats || p.k < team_size * kSplitKMinSteps) return false;
  const int32_t along = kernel.axis == ParAxis::m ? p.m : p.n;
  const int32_t tile = kernel.axis == ParAxis::m ? kernel.mr : kernel.nr;
  return (along + tile - 1) / tile < team_size;
}

// The same for `team`, whose (virtual) size is asked only when the shape allows a split.
inline bool splits_k(const MatMulArgs& p, const MatMulKernel& kernel, Team& team) {
  return static_cast<int64_t>(p.m) * p.n <= kSplitKFloats && p.k >= 2 * kSplitKMinSteps &&
         splits_k(p, kernel, team.size());
}

// Runs p split along K on every member of `team` (splits_k must hold).
void run_split_k(Team& team, const MatMulArgs& p, MatMulFn kernel);

}  // namespace utrain
