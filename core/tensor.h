// TensorView: a non-owning, typed window onto memory that someone else owns.
//
// Every activation is four-dimensional, batch first: n (batch), c (channels or features),
// h, w. A Linear layer's activations are n × c × 1 × 1. The layout says how a dense tensor
// is laid out in memory: CHW keeps each channel's plane contiguous (n, c, h, w from slowest to
// fastest), HWC keeps each pixel's channels contiguous (n, h, w, c). Strides are in elements,
// so a view can also describe a slice of a larger buffer.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/dtype.h"
#include "core/status.h"

namespace utrain {

enum class Layout : uint8_t { chw, hwc };

constexpr const char* layout_name(Layout l) { return l == Layout::chw ? "CHW" : "HWC"; }

struct Shape {
  int32_t n = 1, c = 1, h = 1, w = 1;

  constexpr int64_t elements() const { return int64_t{n} * c * h * w; }
  constexpr int64_t per_sample() const { return int64_t{c} * h * w; }
  constexpr bool operator==(const Shape&) const = default;
};

struct Strides {
  int64_t n = 0, c = 0, h = 0, w = 0;
  constexpr bool operator==(const Strides&) const = default;
};

// The strides of a dense tensor of `shape` in `layout`.
constexpr Strides dense_strides(Shape s, Layout layout) {
  if (layout == Layout::chw)
    return Strides{int64_t{s.c} * s.h * s.w, int64_t{s.h} * s.w, s.w, 1};
  return Strides{int64_t{s.h} * s.w * s.c, 1, int64_t{s.w} * s.c, s.c};
}

struct TensorView {
  void* data = nullptr;
  DType dtype = DType::f32;
  Layout layout = Layout::chw;
  Shape shape;
  Strides strides;

  static constexpr TensorView dense(float* data, Shape shape, Layout layout = Layout::chw) {
    return TensorView{data, DType::f32, layout, shape, dense_strides(shape, layout)};
  }
  static constexpr TensorView dense(const float* data, Shape shape, Layout layout = Layout::chw) {
    // Views do not carry constness; the callee's signature says whether it writes.
    return dense(const_cast<float*>(data), shape, layout);
  }
  // A batch of feature vectors: n × c (× 1 × 1), the activations of Linear layers.
  static constexpr TensorView matrix(float* data, int32_t rows, int32_t cols) {
    return dense(data, Shape{rows, cols, 1, 1});
  }
  static constexpr TensorView matrix(const float* data, int32_t rows, int32_t cols) {
    return dense(data, Shape{rows, cols, 1, 1});
  }

  float* f32() const { return static_cast<float*>(data); }
  constexpr int64_t elements() const { return shape.elements(); }
  constexpr size_t bytes() const { return static_cast<size_t>(elements()) * dtype_size(dtype); }
  constexpr bool is_dense() const { return strides == dense_strides(shape, layout); }
  // Offset in elements of element (n, c, h, w).
  constexpr int64_t offset(int32_t n, int32_t c, int32_t h, int32_t w) const {
    return n * strides.n + c * strides.c + h * strides.h + w * strides.w;
  }
};

// Checks the conditions every f32 kernel entry needs: memory present, f32, dense, and positive
// dimensions. `subject` names the tensor in the error, e.g. "linear forward: x".
Status check_dense_f32(const TensorView& t, const char* subject);

}  // namespace utrain
