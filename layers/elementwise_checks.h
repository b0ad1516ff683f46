// Checks shared by the elementwise layer steps (activations, losses): two tensors that are read
// and written element by element must have the same shape and layout, and may share memory only
// by being the very same buffer (in place), never by a shifted overlap, which would make a step
// read values it has already overwritten.
#pragma once
#include "core/status.h"
#include "core/tensor.h"

namespace utrain {

// `t` must have the shape and layout of `reference`; the error names the first dimension that
// differs, with both values, said of `subject` (e.g. "activation forward: y").
Status check_same_shape(const TensorView& t, const TensorView& reference, const char* subject);

// True when the memory of a and b overlaps without being the same buffer. Requires both to be
// dense views of the same shape (check_same_shape first).
bool overlaps_partially(const TensorView& a, const TensorView& b);

}  // namespace utrain
