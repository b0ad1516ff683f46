// ProgressDisplay: shows format_progress() lines while training. On a terminal it redraws one
// line in place with '\r' (at most every kRedrawSeconds, so printing never costs more than the
// training); elsewhere (a pipe, a log file) it writes one line per finished epoch, so logs stay
// readable. It reads no clock itself: the caller passes the elapsed time in the state.
#pragma once
#include <cstdio>

#include "tools/train/progress_bar.h"

namespace utrain::tools {

class ProgressDisplay {
 public:
  enum class Mode { redraw, per_epoch, off };
  static constexpr double kRedrawSeconds = 0.1;

  // redraw when `out` is a terminal, per_epoch otherwise; off when quiet.
  static Mode mode_for(std::FILE* out, bool quiet);

  ProgressDisplay(std::FILE* out, Mode mode) : out_(out), mode_(mode) {}

  // After every step; redraws when the last redraw is old enough.
  void step(const ProgressState& state);
  // After an epoch's last step.
  void end_epoch(const ProgressState& state);
  // After training: ends the redrawn line.
  void finish();

 private:
  void redraw(const ProgressState& state);

  std::FILE* out_;
  Mode mode_;
  double last_redraw_ = -1.0;
  size_t drawn_width_ = 0;  // longest line drawn, to blank what a shorter line leaves behind
};

}  // namespace utrain::tools
