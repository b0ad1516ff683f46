// Small integer helpers shared by the freestanding code (there is no <algorithm> on rv32).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace utrain {

template <class T>
constexpr T min_of(T a, T b) { return b < a ? b : a; }

template <class T>
constexpr T max_of(T a, T b) { return a < b ? b : a; }

template <class T>
constexpr T div_ceil(T a, T b) { return (a + b - 1) / b; }

// Rounds value up to a multiple of `multiple` (any positive multiple, not only powers of two).
template <class T>
constexpr T round_up(T value, T multiple) { return div_ceil(value, multiple) * multiple; }

}  // namespace utrain
