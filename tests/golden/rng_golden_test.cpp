// The portable RNG and the initialisers against their Python mirror (tests/golden/portable_rng.py):
// every golden fixture stores seeds instead of inputs, so these must agree bit for bit.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "golden/fixtures/rng.h"
#include "golden/golden_check.h"
#include "layers/init.h"

namespace utrain::golden {
namespace {

TEST(GoldenRng, draws_match_python_mirror_bit_for_bit) {
  for (const RngCase& c : rng::kRngCases) {
    SCOPED_TRACE("Rng(" + std::to_string(c.seed) + ", " + std::to_string(c.stream) + ")");
    Rng r(c.seed, c.stream);
    std::vector<float> uniform, symmetric;
    for (int i = 0; i < c.draws; ++i)
      EXPECT_EQ(r.next_u32(), c.u32[i]) << "next_u32 #" << i << "; regenerate: " << kRegenerate;
    for (int i = 0; i < c.draws; ++i) uniform.push_back(r.uniform());
    for (int i = 0; i < c.draws; ++i) symmetric.push_back(r.uniform_symmetric(c.symmetric_bound));
    for (int i = 0; i < c.draws; ++i)
      EXPECT_EQ(r.below(c.below_n), c.below[i])
          << "below(" << c.below_n << ") #" << i << "; regenerate: " << kRegenerate;
    expect_bits_equal("uniform", uniform.data(), c.uniform, uniform.size());
    expect_bits_equal("uniform_symmetric", symmetric.data(), c.symmetric, symmetric.size());
  }
}

TEST(GoldenRng, init_bounds_and_fills_match_python_mirror_bit_for_bit) {
  for (const InitCase& c : rng::kInitCases) {
    SCOPED_TRACE("init kind " + std::to_string(static_cast<int>(c.kind)) + ", fan_in " +
                 std::to_string(c.fan_in) + ", fan_out " + std::to_string(c.fan_out));
    const float bound = init_bound(c.kind, c.fan_in, c.fan_out);
    expect_bits_equal("init_bound", &bound, &c.bound, 1);
    Rng r(c.seed, c.stream);
    std::vector<float> values(static_cast<size_t>(c.count), -1.0f);
    const Status s = init_fill(c.kind, r, values.data(), values.size(), c.fan_in, c.fan_out);
    ASSERT_TRUE(s.ok()) << describe(s);
    expect_bits_equal("init_fill", values.data(), c.values, values.size());
  }
}

}  // namespace
}  // namespace utrain::golden
