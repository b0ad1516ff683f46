// Weight initialisers from the portable Rng (core/rng.h): the same seed gives the same weights on
// every target and in the golden script.
//   he_uniform:     U(-b, b), b = sqrt(6 / fan_in)             (Kaiming uniform, gain √2, for ReLU)
//   glorot_uniform: U(-b, b), b = sqrt(6 / (fan_in + fan_out)) (Xavier uniform)
//   pytorch_bias:   U(-b, b), b = 1 / sqrt(fan_in)             (nn.Linear's default bias)
//   zeros, ones:    constants (a norm layer's beta and gamma)
// Values are drawn in array order, one Rng draw each; zeros and ones draw nothing.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"

namespace utrain {

enum class InitKind : uint8_t { zeros, he_uniform, glorot_uniform, pytorch_bias, ones };

// The bound b of the uniform distribution (0 for zeros).
float init_bound(InitKind kind, int32_t fan_in, int32_t fan_out);

Status init_fill(InitKind kind, Rng& rng, float* values, size_t count, int32_t fan_in, int32_t fan_out);

}  // namespace utrain
