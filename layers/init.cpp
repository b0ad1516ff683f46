#include "layers/init.h"

#include <math.h>

namespace utrain {

namespace {

bool uses_fan_out(InitKind kind) { return kind == InitKind::glorot_uniform; }
bool is_constant(InitKind kind) { return kind == InitKind::zeros || kind == InitKind::ones; }

}  // namespace

// Computed in float exactly as written: tests/golden mirrors these expressions in numpy float32,
// so any reordering (or a double intermediate) would change the last bit of the bound.
// Invalid fans give 0; init_fill reports them.
float init_bound(InitKind kind, int32_t fan_in, int32_t fan_out) {
  if (!is_constant(kind) && fan_in <= 0) return 0.0f;
  switch (kind) {
    case InitKind::zeros:
    case InitKind::ones: return 0.0f;
    case InitKind::he_uniform: return sqrtf(6.0f / static_cast<float>(fan_in));
    case InitKind::glorot_uniform:
      if (fan_out <= 0) return 0.0f;
      // The sum in 64 bits: two large int32 fans must not overflow before the conversion.
      return sqrtf(6.0f / static_cast<float>(int64_t{fan_in} + fan_out));
    case InitKind::pytorch_bias: return 1.0f / sqrtf(static_cast<float>(fan_in));
  }
  return 0.0f;
}

Status init_fill(InitKind kind, Rng& rng, float* values, size_t count, int32_t fan_in, int32_t fan_out) {
  UT_CHECK(is_constant(kind) || kind == InitKind::he_uniform || kind == InitKind::glorot_uniform ||
               kind == InitKind::pytorch_bias,
           StatusCode::invalid_argument, "init: unknown initialiser kind");
  UT_CHECK(values != nullptr, StatusCode::invalid_argument, "init: values is null");
  if (is_constant(kind)) {
    // Draws nothing, so constant arrays do not shift the stream of the weights after them.
    const float value = kind == InitKind::ones ? 1.0f : 0.0f;
    for (size_t i = 0; i < count; ++i) values[i] = value;
    return ok_status();
  }
  UT_CHECK(fan_in > 0, StatusCode::invalid_argument, "init: fan_in must be positive");
  UT_CHECK(!uses_fan_out(kind) || fan_out > 0, StatusCode::invalid_argument,
           "init: fan_out must be positive for glorot_uniform");
  const float bound = init_bound(kind, fan_in, fan_out);
  for (size_t i = 0; i < count; ++i) values[i] = rng.uniform_symmetric(bound);
  return ok_status();
}

}  // namespace utrain
