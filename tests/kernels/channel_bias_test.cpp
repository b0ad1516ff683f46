// The per-channel bias of a convolution (kernels/conv/channel_bias.h): the broadcast against its
// definition and the channel sums (the bias gradient) against a double-precision sum, in both
// layouts, with plane sizes around the CHW sum's passes of eight (1, 7, 8, 13, 67), batches of
// 1 and 3, overwriting and accumulating, on every test team; and the argument checks.
#include "kernels/conv/channel_bias.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

// Where sample n's value of channel c at position p lies in a dense tensor of `shape`.
size_t index_of(const Shape& s, Layout layout, int32_t n, int32_t c, int32_t p) {
  const int64_t positions = int64_t{s.h} * s.w;
  const int64_t within = layout == Layout::chw ? c * positions + p : p * s.c + c;
  return static_cast<size_t>(n * s.per_sample() + within);
}

std::vector<Shape> shapes() {
  std::vector<Shape> out;
  for (int32_t batch : {1, 3})
    for (const auto& [h, w] : {std::pair{1, 1}, {1, 7}, {2, 4}, {13, 1}, {67, 1}})
      out.push_back(Shape{batch, 5, h, w});
  return out;
}

TEST(ChannelBias, sums_every_channel_over_samples_and_positions) {
  Rng rng(11);
  for (int members : testing::kTeamSizes)
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (const Shape& s : shapes())
        for (bool accumulate : {false, true}) {
          std::vector<float> values(static_cast<size_t>(s.elements()));
          for (float& v : values) v = rng.uniform_symmetric(1.0f);
          std::vector<float> sums(static_cast<size_t>(s.c)), before(sums.size());
          for (size_t c = 0; c < sums.size(); ++c) sums[c] = before[c] = rng.uniform_symmetric(1.0f);
          ASSERT_TRUE(sum_channels(testing::team_of(members), s, layout, values.data(), sums.data(), accumulate).ok());
          const std::string where = "team " + std::to_string(members) + (layout == Layout::chw ? " chw " : " hwc ") +
                                    std::to_string(s.n) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) +
                                    (accumulate ? " accumulating" : "");
          for (int32_t c = 0; c < s.c; ++c) {
            double expect = accumulate ? before[static_cast<size_t>(c)] : 0.0, magnitude = std::fabs(expect);
            for (int32_t n = 0; n < s.n; ++n)
              for (int32_t p = 0; p < s.h * s.w; ++p) {
                const double v = values[index_of(s, layout, n, c, p)];
                expect += v;
                magnitude += std::fabs(v);
              }
            EXPECT_NEAR(sums[static_cast<size_t>(c)], expect, 1e-6 * (magnitude + 1.0)) << where << " channel " << c;
          }
        }
}

TEST(ChannelBias, broadcasts_each_channel_value_everywhere) {
  Rng rng(12);
  for (Layout layout : {Layout::chw, Layout::hwc})
    for (const Shape& s : shapes()) {
      std::vector<float> bias(static_cast<size_t>(s.c)), out(static_cast<size_t>(s.elements()), -1.0f);
      for (float& b : bias) b = rng.uniform_symmetric(1.0f);
      ASSERT_TRUE(broadcast_channel_bias(testing::team_of(3), s, layout, bias.data(), out.data()).ok());
      for (int32_t n = 0; n < s.n; ++n)
        for (int32_t c = 0; c < s.c; ++c)
          for (int32_t p = 0; p < s.h * s.w; ++p)
            ASSERT_EQ(out[index_of(s, layout, n, c, p)], bias[static_cast<size_t>(c)]);
    }
}

TEST(ChannelBias, rejects_empty_shapes_and_null_buffers) {
  float value = 0.0f, sum = 0.0f;
  Team& team = testing::team_of(1);
  EXPECT_FALSE(sum_channels(team, Shape{1, 0, 1, 1}, Layout::chw, &value, &sum, false).ok());
  EXPECT_FALSE(sum_channels(team, Shape{1, 1, 1, 1}, Layout::chw, nullptr, &sum, false).ok());
  EXPECT_FALSE(broadcast_channel_bias(team, Shape{1, 1, 1, 1}, Layout::hwc, &value, nullptr).ok());
}

}  // namespace
}  // namespace utrain
