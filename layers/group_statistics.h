// Statistics groups: the sets of values that share one mean and one variance in the
// normalization layers (and one mean in global average pooling), where they lie in memory, and
// the passes over them that BatchNorm2d, InstanceNorm2d, LayerNorm and global pooling share.
//
//   BatchNorm2d     group = a channel over the whole batch        channel_groups_of_batch
//   InstanceNorm2d  group = a channel plane of one sample         channel_groups_of_sample
//   global pooling  group = a channel plane of one sample         channel_groups_of_sample
//   LayerNorm       group = all values of one sample              sample_groups
//
// A GroupLayout describes consecutive groups starting at the pointer a pass receives: group g's
// values are runs × run_length values, value i of run r at
//   g·group_stride + r·run_stride + i·step,
// and its index within the group (what per-value parameters such as LayerNorm's gamma are indexed
// by) is r·run_length + i. In CHW, a channel's values are contiguous runs (step 1); in HWC,
// neighbouring channels are neighbours in memory (group_stride 1), so the passes walk a block of
// groups together, pixel by pixel, reading contiguous memory either way.
//
// Every pass works on a block of at most kGroupBlock groups, keeping its per-group sums in local
// arrays (registers or stack, never the heap); callers cut their groups into such blocks.
// Statistics are float and two-pass (mean, then squared deviations from it, with the rounding
// of the mean corrected), which keeps the variance accurate where one-pass sums of squares
// cancel catastrophically, without double arithmetic, which is slow on the device.
#pragma once
#include <stdint.h>

#include "core/arith.h"
#include "core/partition.h"
#include "core/team.h"
#include "core/tensor.h"
#include "kernels/activation_fn.h"

namespace utrain {

// Groups per pass: 16 per-group sums fit in registers or one small stack array, and in HWC one
// pixel's 16 channels are one or two cache lines.
inline constexpr int32_t kGroupBlock = 16;

struct GroupLayout {
  int32_t runs = 1;
  intptr_t run_stride = 0;  // the strides are memory offsets: pointer-sized
  int32_t run_length = 1;
  intptr_t step = 1;
  intptr_t group_stride = 0;

  constexpr int64_t values() const { return int64_t{runs} * run_length; }
};

// Group c is channel c of all shape.n samples of a dense tensor of `shape` in `layout`.
GroupLayout channel_groups_of_batch(const Shape& shape, Layout layout);
// Group c is channel c of one sample of a dense tensor of `shape` in `layout`; sample s's groups
// start at element s·shape.per_sample().
GroupLayout channel_groups_of_sample(const Shape& shape, Layout layout);
// Group s is sample s, `features` contiguous values.
GroupLayout sample_groups(int32_t features);

// On a scalar FP core (rv32, Cortex-M4F) the contiguous walk takes four values a pass at fixed
// offsets from one position, so each array is reached at immediate offsets from a pointer stepped
// once a pass: GCC's own unrolling added an index to every array's base for every value
// (BatchNorm's input grad on rv32: 12.2 -> 7.3 instructions a value with its per-group
// coefficients). On the host the plain loop vectorizes, and the four-value body made the same
// input grad slower (DS-CNN's: 58 against 96 us, bench_cnn_step).
#if defined(__riscv) || (defined(__ARM_ARCH_7EM__) && defined(__ARM_FP))
inline constexpr bool kWalkFourAPass = true;
#else
inline constexpr bool kWalkFourAPass = false;
#endif

// Calls visit(g, offset, index) for every value of groups 0..count-1: g the group, offset the
// value's position from the first group's first value, index its position within its group.
// Contiguous memory is walked in order: group by group when runs are contiguous, else pixel by
// pixel with the block's groups innermost. The order of values within a group is the same
// either way, so sums do not depend on the walk.
template <class Visit>
inline void for_each_group_value(const GroupLayout& l, int32_t count, const Visit& visit) {
  if (l.step == 1) {
    for (int32_t g = 0; g < count; ++g)
      for (int32_t r = 0; r < l.runs; ++r) {
        const intptr_t run = g * l.group_stride + r * l.run_stride, first_index = intptr_t{r} * l.run_length;
        if constexpr (kWalkFourAPass) {
          int32_t i = 0;
          for (; i + 4 <= l.run_length; i += 4) {
            const intptr_t at = run + i, index = first_index + i;
            visit(g, at, index), visit(g, at + 1, index + 1), visit(g, at + 2, index + 2), visit(g, at + 3, index + 3);
          }
          for (; i < l.run_length; ++i) visit(g, run + i, first_index + i);
        } else {
#pragma GCC unroll 4
          for (int32_t i = 0; i < l.run_length; ++i) visit(g, run + i, first_index + i);
        }
      }
    return;
  }
  for (int32_t r = 0; r < l.runs; ++r)
    for (int32_t i = 0; i < l.run_length; ++i) {
      const intptr_t at = r * l.run_stride + i * l.step, index = intptr_t{r} * l.run_length + i;
      for (int32_t g = 0; g < count; ++g) visit(g, at + g * l.group_stride, index);
    }
}

// Splits `groups` groups over the members of `team`, each a contiguous share, and calls
// f(first, count) for each block of at most kGroupBlock groups of a share (concurrently across
// members: f must only write what belongs to its groups).
template <class F>
void run_group_blocks(Team& team, int32_t groups, const F& f) {
  team_run(team, [&](int member, int size) {
    const Range share = partition(groups, member, size, 1);
    for (int32_t first = share.begin; first < share.end; first += kGroupBlock)
      f(first, min_of(kGroupBlock, share.end - first));
  });
}

// The passes below take count <= kGroupBlock groups starting at their data pointers; the
// per-group arrays they read or write hold `count` values. A null per-value array (value_gamma,
// value_beta) stands for ones (gamma) or zeros (beta).

// sum[g] = Σ x over group g.
void group_sums(const float* x, const GroupLayout& l, int32_t count, float* sum);

// The mean and the biased variance of each group (two-pass).
void group_moments(const float* x, const GroupLayout& l, int32_t count, float* mean, float* variance);

// y = act((x − mean[g]) · scale[g] · value_gamma[i] + shift[g] + value_beta[i]); y may be x.
// value_gamma and value_beta are both null or both given; a null shift is zeros.
void group_normalize(const float* x, float* y, const GroupLayout& l, int32_t count, const float* mean,
                     const float* scale, const float* shift, const float* value_gamma, const float* value_beta,
                     Activation act = Activation::none, float act_slope = kDefaultLeakySlope);

// With x̂ = (x − mean[g]) · inv_std[g] and u = dy · value_gamma[i] (the gradient with respect to
// x̂): sum_u[g] = Σ u, sum_u_xhat[g] = Σ u · x̂ over group g.
void group_gradient_sums(const float* x, const float* dy, const GroupLayout& l, int32_t count, const float* mean,
                         const float* inv_std, const float* value_gamma, float* sum_u, float* sum_u_xhat);

// The input gradient of a normalization, dx (+)= gain[g] · (u − mean_u[g] − x̂ · mean_u_xhat[g])
// with x̂ and u as above. Through batch statistics mean_u and mean_u_xhat are the group means of
// u and u·x̂ (the gradient through the mean and the variance) and gain is inv_std (times gamma);
// constant statistics (BatchNorm2d in evaluation) pass both null: dx (+)= gain[g] · u.
struct NormInputGradCoefficients {
  const float* mean;
  const float* inv_std;
  const float* gain;
  const float* mean_u;
  const float* mean_u_xhat;
};
void group_input_grad(const float* x, const float* dy, float* dx, const GroupLayout& l, int32_t count,
                      const NormInputGradCoefficients& k, const float* value_gamma, bool accumulate);

// out (+)= value[g] for every value of group g.
void group_broadcast(float* out, const GroupLayout& l, int32_t count, const float* value, bool accumulate);

}  // namespace utrain
