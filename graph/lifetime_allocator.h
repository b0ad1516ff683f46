// Places buffers in one block so that two buffers share bytes only when their lifetimes do not
// overlap. A lifetime is the closed interval [first, last] of step times (forward i, loss,
// backward i) in which the buffer holds something still needed.
//
// Greedy, each buffer at the lowest offset that collides with no placed buffer alive at the same
// time, in three orders (largest first, longest-lived first, largest size × lifetime first), the
// tightest kept: not optimal in general (that problem is NP-hard), and cheap enough to run on the
// device.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace utrain {

struct LifetimeRequest {
  size_t bytes = 0;
  int32_t first = 0, last = 0;
  size_t offset = 0;  // result
};

// Sets every request's offset (a multiple of `alignment`, at least `base`) and returns the end of
// the highest placed buffer (at least `base`). `count` is at most kMaxLifetimeRequests.
inline constexpr int kMaxLifetimeRequests = 256;
size_t place_by_lifetime(LifetimeRequest* requests, int count, size_t base, size_t alignment);

}  // namespace utrain
