// Weight initialisers: the bounds of each kind, one Rng draw per value in array order (what the
// golden script mirrors), determinism for a seed, zeros, and the errors.
#include "layers/init.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "support/status_text.h"

namespace utrain {
namespace {

using testing::status_text;

TEST(InitBound, each_kind_follows_its_formula) {
  // Fans chosen so the bounds are exact: sqrt(6/6), sqrt(6/(2+4)), 1/sqrt(4).
  EXPECT_EQ(init_bound(InitKind::he_uniform, 6, 0), 1.0f);
  EXPECT_EQ(init_bound(InitKind::glorot_uniform, 2, 4), 1.0f);
  EXPECT_EQ(init_bound(InitKind::pytorch_bias, 4, 0), 0.5f);
  EXPECT_EQ(init_bound(InitKind::zeros, 4, 4), 0.0f);
  // And in general within an ulp of the exact value (float arithmetic, as the golden script).
  EXPECT_NEAR(init_bound(InitKind::he_uniform, 784, 128), std::sqrt(6.0 / 784), 1e-7);
  EXPECT_NEAR(init_bound(InitKind::glorot_uniform, 784, 128), std::sqrt(6.0 / 912), 1e-7);
  EXPECT_NEAR(init_bound(InitKind::pytorch_bias, 784, 128), 1 / std::sqrt(784.0), 1e-7);
}

TEST(InitBound, invalid_fans_give_zero) {
  EXPECT_EQ(init_bound(InitKind::he_uniform, 0, 5), 0.0f);
  EXPECT_EQ(init_bound(InitKind::pytorch_bias, -3, 5), 0.0f);
  EXPECT_EQ(init_bound(InitKind::glorot_uniform, 5, 0), 0.0f);
  // Two large fans are summed without overflow.
  EXPECT_GT(init_bound(InitKind::glorot_uniform, 2'000'000'000, 2'000'000'000), 0.0f);
}

TEST(InitFill, draws_one_rng_value_per_element_in_array_order) {
  for (InitKind kind : {InitKind::he_uniform, InitKind::glorot_uniform, InitKind::pytorch_bias}) {
    SCOPED_TRACE(static_cast<int>(kind));
    Rng rng(77), replay(77);
    std::vector<float> values(101);
    ASSERT_TRUE(init_fill(kind, rng, values.data(), values.size(), 13, 7).ok());
    const float bound = init_bound(kind, 13, 7);
    for (float v : values) ASSERT_EQ(v, replay.uniform_symmetric(bound));
    EXPECT_EQ(rng.next_u32(), replay.next_u32());  // and no draw more
  }
}

TEST(InitFill, values_stay_within_the_bound_and_fill_it) {
  Rng rng(5);
  std::vector<float> values(10000);
  ASSERT_TRUE(init_fill(InitKind::he_uniform, rng, values.data(), values.size(), 24, 0).ok());
  const float bound = init_bound(InitKind::he_uniform, 24, 0);
  const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
  EXPECT_GE(*lowest, -bound);
  EXPECT_LT(*highest, bound);
  // 10000 uniform draws reach the outer 1% at both ends with probability 1 - 2·0.99^10000.
  EXPECT_LT(*lowest, -0.99f * bound);
  EXPECT_GT(*highest, 0.99f * bound);
}

TEST(InitFill, same_seed_same_values_other_seed_other_values) {
  std::vector<float> a(50), b(50), c(50);
  Rng ra(123), rb(123), rc(124);
  ASSERT_TRUE(init_fill(InitKind::glorot_uniform, ra, a.data(), a.size(), 10, 5).ok());
  ASSERT_TRUE(init_fill(InitKind::glorot_uniform, rb, b.data(), b.size(), 10, 5).ok());
  ASSERT_TRUE(init_fill(InitKind::glorot_uniform, rc, c.data(), c.size(), 10, 5).ok());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(InitFill, constants_write_their_value_and_draw_nothing) {
  for (auto [kind, value] : {std::pair{InitKind::zeros, 0.0f}, std::pair{InitKind::ones, 1.0f}}) {
    Rng rng(9), untouched(9);
    std::vector<float> values(17, 3.0f);
    ASSERT_TRUE(init_fill(kind, rng, values.data(), values.size(), 0, 0).ok());
    EXPECT_EQ(values, std::vector<float>(17, value));
    EXPECT_EQ(rng.next_u32(), untouched.next_u32());
  }
}

TEST(InitFill, rejects_bad_fans_null_values_and_unknown_kinds) {
  Rng rng(1);
  std::vector<float> values(4, 3.0f);
  EXPECT_EQ(status_text(init_fill(InitKind::he_uniform, rng, values.data(), 4, 0, 4)),
            "invalid argument: init: fan_in must be positive");
  EXPECT_EQ(status_text(init_fill(InitKind::pytorch_bias, rng, values.data(), 4, -2, 4)),
            "invalid argument: init: fan_in must be positive");
  EXPECT_EQ(status_text(init_fill(InitKind::glorot_uniform, rng, values.data(), 4, 4, 0)),
            "invalid argument: init: fan_out must be positive for glorot_uniform");
  EXPECT_EQ(status_text(init_fill(InitKind::he_uniform, rng, nullptr, 4, 4, 4)),
            "invalid argument: init: values is null");
  EXPECT_EQ(status_text(init_fill(static_cast<InitKind>(9), rng, values.data(), 4, 4, 4)),
            "invalid argument: init: unknown initialiser kind");
  EXPECT_EQ(values, std::vector<float>(4, 3.0f));
  // he_uniform and pytorch_bias do not use fan_out.
  EXPECT_TRUE(init_fill(InitKind::he_uniform, rng, values.data(), 4, 4, 0).ok());
  EXPECT_TRUE(init_fill(InitKind::pytorch_bias, rng, values.data(), 4, 4, -1).ok());
}

}  // namespace
}  // namespace utrain
