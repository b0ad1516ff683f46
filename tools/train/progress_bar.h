// The training progress line, as a pure function of the numbers it shows, so its layout is
// tested without a terminal or a clock:
//
//   epoch  3/20 [#######.............]  412/1438  loss 0.2345  acc  93.1%  0:02  ETA 0:05
//
// Counters are padded to their final width, so a line redrawn in place with '\r' keeps its
// layout; only the times may change width (ProgressDisplay blanks what a shorter line leaves).
#pragma once
#include <cstdint>
#include <string>

namespace utrain::tools {

struct ProgressState {
  int epoch = 1;                      // 1-based
  int epochs = 1;
  int64_t samples_done = 0;           // within this epoch
  int64_t samples_per_epoch = 0;
  double running_loss = 0.0;          // mean loss of this epoch's samples so far
  double running_accuracy = 0.0;      // fraction of them classified right, 0..1
  double elapsed_seconds = 0.0;       // since training started
  double eta_seconds = -1.0;          // negative: not known yet
};

// "m:ss" below an hour, "h:mm:ss" above; negative or non-finite gives "-:--".
std::string format_duration(double seconds);

// Remaining time if the rate so far holds: elapsed · (total - done) / done; -1 when done == 0.
double estimate_eta(double elapsed_seconds, int64_t done, int64_t total);

// The line above, without a line end; the bar has `bar_width` cells (at least 1).
std::string format_progress(const ProgressState& state, int bar_width = 20);

}  // namespace utrain::tools
