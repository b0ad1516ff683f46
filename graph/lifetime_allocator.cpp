#include "graph/lifetime_allocator.h"

namespace utrain {

namespace {

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

bool alive_together(const LifetimeRequest& a, const LifetimeRequest& b) {
  return a.first <= b.last && b.first <= a.last;
}

bool collides(const LifetimeRequest& placed, const LifetimeRequest& r, size_t offset) {
  return alive_together(placed, r) && offset < placed.offset + placed.bytes &&
         placed.offset < offset + r.bytes;
}

size_t lifetime(const LifetimeRequest& r) { return static_cast<size_t>(r.last - r.first) + 1; }

// The orders tried: by size; by lifetime, then size; by size × lifetime (the area a buffer takes
// in the offset-time plane). Each is the tightest on some of the random lists of the allocator's
// test; on the models, by area is 56 KB (3%) tighter than by size on ResNet8 with its BatchNorms'
// fused ReLUs, and the orders tie on DS-CNN and the Deep AutoEncoder.
constexpr int kOrders = 3;
bool placed_before(const LifetimeRequest& a, const LifetimeRequest& b, int order) {
  switch (order) {
    case 0: return a.bytes > b.bytes;
    case 1: return lifetime(a) != lifetime(b) ? lifetime(a) > lifetime(b) : a.bytes > b.bytes;
    default: return a.bytes * lifetime(a) > b.bytes * lifetime(b);
  }
}

// Places the requests in `order` (indices), each at the lowest offset that collides with no
// placed buffer alive at the same time, and returns the end.
size_t place_in_order(LifetimeRequest* requests, const int* order, int count, size_t base, size_t alignment) {
  size_t end = base;
  for (int n = 0; n < count; ++n) {
    LifetimeRequest& r = requests[order[n]];
    // Candidates: the base, and the end of every placed buffer alive at the same time.
    size_t best = static_cast<size_t>(-1);
    for (int c = -1; c < n; ++c) {
      const size_t candidate = c < 0 ? base : align_up(requests[order[c]].offset + requests[order[c]].bytes, alignment);
      if (c >= 0 && !alive_together(requests[order[c]], r)) continue;
      if (candidate >= best) continue;
      bool free = true;
      for (int p = 0; p < n && free; ++p) free = !collides(requests[order[p]], r, candidate);
      if (free) best = candidate;
    }
    r.offset = best;
    if (r.offset + r.bytes > end) end = r.offset + r.bytes;
  }
  return end;
}

}  // namespace

size_t place_by_lifetime(LifetimeRequest* requests, int count, size_t base, size_t alignment) {
  base = align_up(base, alignment);
  size_t best_end = static_cast<size_t>(-1);
  size_t best_offsets[kMaxLifetimeRequests];
  for (int o = 0; o < kOrders; ++o) {
    int order[kMaxLifetimeRequests];  // insertion sort of indices (stable; count is small)
    for (int i = 0; i < count; ++i) {
      int j = i;
      for (; j > 0 && placed_before(requests[i], requests[order[j - 1]], o); --j) order[j] = order[j - 1];
      order[j] = i;
    }
    const size_t end = place_in_order(requests, order, count, base, alignment);
    if (end < best_end) {
      best_end = end;
      for (int i = 0; i < count; ++i) best_offsets[i] = requests[i].offset;
    }
  }
  for (int i = 0; i < count; ++i) requests[i].offset = best_offsets[i];
  return best_end;
}

}  // namespace utrain
