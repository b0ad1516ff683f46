#include "core/rng.h"

namespace utrain {

namespace {
constexpr uint64_t kMultiplier = 6364136223846793005ULL;
constexpr float kTwoToMinus24 = 1.0f / 16777216.0f;
}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) : increment_((stream << 1u) | 1u) {
  next_u32();
  state_ += seed;
  next_u32();
}

uint32_t Rng::next_u32() {
  const uint64_t old = state_;
  state_ = old * kMultiplier + increment_;
  const uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
  const uint32_t rot = static_cast<uint32_t>(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

float Rng::uniform() { return static_cast<float>(next_u32() >> 8) * kTwoToMinus24; }

float Rng::uniform_symmetric(float bound) {
  const int32_t k = static_cast<int32_t>(next_u32() >> 8) * 2 - (1 << 24);
  return (static_cast<float>(k) * kTwoToMinus24) * bound;
}

uint32_t Rng::below(uint32_t n) {
  // Reject the top partial copy of [0, n) so every value is equally likely.
  const uint32_t limit = static_cast<uint32_t>(-n) % n;  // = 2^32 mod n
  for (;;) {
    const uint32_t r = next_u32();
    if (r >= limit) return r % n;
  }
}

}  // namespace utrain
