// Fisher–Yates shuffle driven by the portable Rng (core/rng.h), so an order drawn from a seed is
// the same on every host and standard library (std::shuffle's algorithm is unspecified).
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "core/rng.h"

namespace utrain::tools {

// Puts `values` in a uniformly random order: for i = n-1 down to 1, swap values[i] with
// values[rng.below(i + 1)].
void fisher_yates_shuffle(std::span<std::size_t> values, Rng& rng);

// 0, 1, ..., count-1.
std::vector<std::size_t> identity_order(std::size_t count);

}  // namespace utrain::tools
