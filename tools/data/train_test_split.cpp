#include "tools/data/train_test_split.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/rng.h"
#include "tools/data/shuffle.h"
#include "tools/tool_error.h"

namespace utrain::tools {

std::size_t test_count(std::size_t n) {
  const auto rounded = static_cast<std::size_t>(std::llround(static_cast<double>(n) * kTestFraction));
  return std::clamp<std::size_t>(rounded, 1, n - 1);
}

SplitIndices split_indices(std::size_t n) {
  if (n < 2) throw ToolError(fmt::format("cannot split {} sample(s) into training and test sets (need at least 2)", n));
  std::vector<std::size_t> order = identity_order(n);
  Rng rng(kSplitSeed);
  fisher_yates_shuffle(order, rng);
  const auto tests = static_cast<std::ptrdiff_t>(test_count(n));
  return SplitIndices{std::vector<std::size_t>(order.begin() + tests, order.end()),
                      std::vector<std::size_t>(order.begin(), order.begin() + tests)};
}

TrainTestSplit split_train_test(const Dataset& data) {
  const SplitIndices split = split_indices(data.size());
  return TrainTestSplit{select_samples(data, split.train), select_samples(data, split.test)};
}

}  // namespace utrain::tools
