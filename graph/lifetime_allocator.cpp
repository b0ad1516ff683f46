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

}  // namespace

size_t place_by_lifetime(LifetimeRequest* requests, int count, size_t base, size_t alignment) {
  base = align_up(base, alignment);
  // Order of placement: largest first (insertion sort of indices; count is small).
  int order[kMaxLifetimeRequests];
  for (int i = 0; i < count; ++i) {
    int j = i;
    while (j > 0 && requests[order[j - 1]].bytes < requests[i].bytes) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = i;
  }
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

}  // namespace utrain
