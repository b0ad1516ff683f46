#include "kernels/mm/matmul_split_k.h"

#include "core/partition.h"
#include "kernels/generic/matmul_epilogue.h"

namespace utrain {

namespace {

struct SplitKCall {
  const MatMulArgs* args;
  MatMulFn kernel;
  Team* team;
  const float* partials[kSplitKMaxMembers];  // each member's, on its own stack
};

// p restricted to K steps [ks.begin, ks.end), summed into `partial` (M×N, dense) with no epilogue.
MatMulArgs k_slice(const MatMulArgs& p, Range ks, float* partial) {
  MatMulArgs s = p;
  s.k = ks.size();
  s.a += p.ta == Trans::n ? ks.begin : static_cast<intptr_t>(ks.begin) * p.lda;
  s.b += p.tb == Trans::n ? static_cast<intptr_t>(ks.begin) * p.ldb : ks.begin;
  s.c = partial;
  s.ldc = p.n;
  s.accumulate = false;
  s.bias_axis = BiasAxis::none;
  s.bias = nullptr;
  s.act = Activation::none;
  return s;
}

// to[e] += from[e]: four values a pass, so the loop's own instructions are a quarter a value.
void add_into(float* to, const float* from, int32_t count) {
#pragma GCC unroll 4
  for (int32_t e = 0; e < count; ++e) to[e] += from[e];
}

// to[e] += x[e] + y[e]: two partials for one load and one store of the sum (3 instructions a
// value and partial against 4).
void add_two_into(float* to, const float* x, const float* y, int32_t count) {
#pragma GCC unroll 4
  for (int32_t e = 0; e < count; ++e) to[e] += x[e] + y[e];
}

void split_k_member(void* context, int member, int members) {
  SplitKCall& call = *static_cast<SplitKCall*>(context);
  const MatMulArgs& p = *call.args;
  float partial[kSplitKFloats];
  call.kernel(k_slice(p, partition(p.k, member, members, 1), partial), 0, 1);
  call.partials[member] = partial;
  call.team->barrier(member);
  // Every partial is written. This member's rows of C are read from the partials by this member
  // alone, so they are summed into its own partial, in a fixed order (its own, then the others by
  // number): the result depends on the team's size, never on timing.
  const Range rows = partition(p.m, member, members, 1);
  const int32_t first = rows.begin * p.n, count = rows.size() * p.n;
  const float* pending = nullptr;  // the other partial waiting for a second one
  for (int other = 0; other < members; ++other) {
    if (other == member) continue;
    const float* from = call.partials[other] + first;
    if (pending == nullptr) {
      pending = from;
    } else {
      add_two_into(partial + first, pending, from, count);
      pending = nullptr;
    }
  }
  if (pending != nullptr) add_into(partial + first, pending, count);
  for (int32_t i = rows.begin; i < rows.end; ++i) {
    float* row = p.c + static_cast<intptr_t>(i) * p.ldc;
    const float* sums = partial + i * p.n;
    if (p.accumulate)
      add_into(row, sums, p.n);
    else
      for (int32_t j = 0; j < p.n; ++j) row[j] = sums[j];
  }
  generic::apply_bias_activation(p, rows, Range{0, p.n});
  call.team->barrier(member);  // no member's stack (its partials) goes while another reads it
}

}  // namespace

void run_split_k(Team& team, const MatMulArgs& p, MatMulFn kernel) {
  SplitKCall call{&p, kernel, &team, {}};
  team.run(split_k_member, &call);
}

}  // namespace utrain
