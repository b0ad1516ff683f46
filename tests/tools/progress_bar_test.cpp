// The progress line is a pure function of its inputs: exact text, stable width, clamped bar.
#include "tools/train/progress_bar.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace utrain::tools {
namespace {

ProgressState state_at(int64_t done) {
  ProgressState s;
  s.epoch = 3;
  s.epochs = 20;
  s.samples_done = done;
  s.samples_per_epoch = 1438;
  s.running_loss = 0.23454;
  s.running_accuracy = 0.9312;
  s.elapsed_seconds = 2.4;
  s.eta_seconds = 65.0;
  return s;
}

TEST(ProgressBar, exact_line) {
  EXPECT_EQ(format_progress(state_at(412), 20),
            "epoch  3/20 [#####...............]  412/1438  loss 0.2345  acc  93.1%  0:02  ETA 1:05");
}

TEST(ProgressBar, width_is_the_same_for_every_count_of_an_epoch) {
  const size_t width = format_progress(state_at(0)).size();
  for (const int64_t done : {1, 9, 10, 99, 100, 999, 1000, 1437, 1438})
    EXPECT_EQ(format_progress(state_at(done)).size(), width) << "done = " << done;
}

TEST(ProgressBar, bar_is_empty_at_start_and_full_at_end) {
  EXPECT_NE(format_progress(state_at(0), 10).find("[..........]"), std::string::npos);
  EXPECT_NE(format_progress(state_at(1437), 10).find("[#########.]"), std::string::npos);
  EXPECT_NE(format_progress(state_at(1438), 10).find("[##########]"), std::string::npos);
}

TEST(ProgressBar, counts_beyond_the_epoch_are_clamped) {
  EXPECT_NE(format_progress(state_at(5000), 4).find("[####] 1438/1438"), std::string::npos);
  EXPECT_NE(format_progress(state_at(-3), 4).find("[....]    0/1438"), std::string::npos);
}

TEST(ProgressBar, unknown_eta_and_zero_width_bar) {
  ProgressState s = state_at(0);
  s.eta_seconds = -1;
  const std::string line = format_progress(s, 0);
  EXPECT_NE(line.find("[.]"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA -:--"), std::string::npos) << line;
}

TEST(ProgressBar, durations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(9.4), "0:09");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(3599), "59:59");
  EXPECT_EQ(format_duration(3600), "1:00:00");
  EXPECT_EQ(format_duration(3 * 3600 + 61), "3:01:01");
  EXPECT_EQ(format_duration(-1), "-:--");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "-:--");
  EXPECT_EQ(format_duration(std::nan("")), "-:--");
}

TEST(ProgressBar, eta_extrapolates_the_rate_so_far) {
  EXPECT_DOUBLE_EQ(estimate_eta(2.0, 100, 500), 8.0);
  EXPECT_DOUBLE_EQ(estimate_eta(2.0, 500, 500), 0.0);
  EXPECT_DOUBLE_EQ(estimate_eta(2.0, 600, 500), 0.0);
  EXPECT_LT(estimate_eta(2.0, 0, 500), 0.0);
}

}  // namespace
}  // namespace utrain::tools
