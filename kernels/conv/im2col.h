// im2col / col2im (CHW, one sample) and im2row / row2im (HWC, the whole batch): the gathers that
// lower a convolution to one matrix multiply, and their exact adjoints.
//
// The gather copies each tap of each output position into the lowered matrix (ConvShape's
// header gives the row and column order); taps that fall into the padding are written as zero.
// The scatter (*2im) adds every entry back onto the input position the gather read it from and
// drops the padding taps, so <col2im(a), b> == <a, im2col(b)> for all a, b: that is what makes
// the input gradient right under stride, padding and dilation (input positions no window reads
// get nothing). With accumulate = false the scatter's target is zeroed first.
//
// Work is split over the team where members never write the same value: the gathers by rows of
// the lowered matrix, the scatters by input channel (all taps of a channel land in that
// channel's values only). Arguments are checked; x and the lowered matrix must not overlap.
#pragma once
#include <stddef.h>

#include "core/status.h"
#include "core/team.h"
#include "kernels/conv/conv_shape.h"

namespace utrain {

// Floats of the lowered matrix for `s`: K × P for CHW (one sample at a time, so the batch does
// not change it) and n·P × K for HWC (the batch widens the matrix). A pure function of the shape,
// shared by the workspace sizes and the runs.
constexpr size_t conv_lowered_floats(const ConvShape& s) {
  const size_t one_sample = static_cast<size_t>(s.k()) * static_cast<size_t>(s.positions());
  return s.layout == Layout::chw ? one_sample : one_sample * static_cast<size_t>(s.batch);
}

// col [K × P] from x [C × in_h × in_w], one sample; s.layout must be CHW (s.batch is ignored).
Status im2col(Team& team, const ConvShape& s, const float* x, float* col);
// The same col in column panels (kernels/mm/matmul_b_panels.h), for a matrix multiply that reads
// them (MatMulArgs::b_panels): a 1×1 window without padding (a strided shortcut's), P in panels 6
// and 5 wide (b_panels_cover). Split over the team by panels.
Status im2col_panels(Team& team, const ConvShape& s, const float* x, float* col);
// dx [C × in_h × in_w] (+)= the scatter-add of col [K × P], one sample, CHW.
Status col2im(Team& team, const ConvShape& s, const float* col, float* dx, bool accumulate);

// rows [n·P × K] from x [n × in_h × in_w × C], the whole batch; s.layout must be HWC.
Status im2row(Team& team, const ConvShape& s, const float* x, float* rows);
// dx [n × in_h × in_w × C] (+)= the scatter-add of rows [n·P × K], the whole batch, HWC.
Status row2im(Team& team, const ConvShape& s, const float* rows, float* dx, bool accumulate);

}  // namespace utrain
