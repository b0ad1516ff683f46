#include "kernels/conv/conv_flip.h"

#include "core/partition.h"

namespace utrain {

Status flip_conv_weight(Team& team, const ConvShape& s, const float* weight, float* flipped) {
  UT_TRY(check_conv_shape(s, "flip conv weight"));
  if (weight == nullptr || flipped == nullptr)
    return Status::error(StatusCode::invalid_argument, "a buffer is null").about("flip conv weight");
  if (!conv_flip_applies(s))
    return Status::error(StatusCode::invalid_argument, "needs stride 1 and padding within the window's span")
        .about("flip conv weight");
  const int32_t in = s.in_channels, out = s.out_channels, taps = s.window.taps();
  // Each flipped row (input channel ci) is written in order; the loops are split by layout so
  // that the inner one is a plain strided copy (on a scalar core the rotation costs a few
  // instructions per value, against the gather's).
  team_run(team, [&](int member, int members) {
    const Range rows = partition(in, member, members, 1);
    for (int32_t ci = rows.begin; ci < rows.end; ++ci) {
      float* to = flipped + intptr_t{ci} * out * taps;
      if (s.layout == Layout::chw) {
        // W'[ci][co][t] = W[co][ci][taps-1-t]: each tap row read backwards.
        for (int32_t co = 0; co < out; ++co) {
          const float* from = weight + (intptr_t{co} * in + ci) * taps + taps - 1;
          for (int32_t t = 0; t < taps; ++t) *to++ = *(from - t);
        }
      } else {
        // W'[ci][t][co] = W[co][taps-1-t][ci]: out values in a column of stride taps·in.
        for (int32_t t = 0; t < taps; ++t) {
          const float* from = weight + intptr_t{taps - 1 - t} * in + ci;
          const intptr_t stride = intptr_t{taps} * in;
          for (int32_t co = 0; co < out; ++co) *to++ = from[co * stride];
        }
      }
    }
  });
  return ok_status();
}

}  // namespace utrain
