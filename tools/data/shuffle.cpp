#include "tools/data/shuffle.h"

#include <numeric>
#include <utility>

namespace utrain::tools {

void fisher_yates_shuffle(std::span<std::size_t> values, Rng& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::size_t j = rng.below(static_cast<uint32_t>(i));
    std::swap(values[i - 1], values[j]);
  }
}

std::vector<std::size_t> identity_order(std::size_t count) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

}  // namespace utrain::tools
