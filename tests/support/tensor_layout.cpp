#include "support/tensor_layout.h"

#include <cstddef>

namespace utrain::testing {

namespace {

// Calls f(nchw index, index in `layout`) for every element of a dense tensor of shape s.
template <class F>
void for_each_element(const Shape& s, Layout layout, const F& f) {
  const Strides nchw = dense_strides(s, Layout::chw), other = dense_strides(s, layout);
  for (int32_t n = 0; n < s.n; ++n)
    for (int32_t c = 0; c < s.c; ++c)
      for (int32_t h = 0; h < s.h; ++h)
        for (int32_t w = 0; w < s.w; ++w)
          f(static_cast<size_t>(n * nchw.n + c * nchw.c + h * nchw.h + w * nchw.w),
            static_cast<size_t>(n * other.n + c * other.c + h * other.h + w * other.w));
}

}  // namespace

std::vector<float> to_layout(const std::vector<float>& nchw, const Shape& s, Layout layout) {
  std::vector<float> out(nchw.size());
  for_each_element(s, layout, [&](size_t from, size_t to) { out[to] = nchw[from]; });
  return out;
}

std::vector<float> from_layout(const std::vector<float>& values, const Shape& s, Layout layout) {
  std::vector<float> out(values.size());
  for_each_element(s, layout, [&](size_t to, size_t from) { out[to] = values[from]; });
  return out;
}

}  // namespace utrain::testing
