#include "tools/train/progress_display.h"

#include <unistd.h>

#include <string>

namespace utrain::tools {

ProgressDisplay::Mode ProgressDisplay::mode_for(std::FILE* out, bool quiet) {
  if (quiet) return Mode::off;
  return ::isatty(::fileno(out)) ? Mode::redraw : Mode::per_epoch;
}

void ProgressDisplay::redraw(const ProgressState& state) {
  std::string line = format_progress(state);
  if (line.size() < drawn_width_) line.append(drawn_width_ - line.size(), ' ');
  drawn_width_ = line.size();
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
  last_redraw_ = state.elapsed_seconds;
}

void ProgressDisplay::step(const ProgressState& state) {
  if (mode_ == Mode::redraw && (last_redraw_ < 0 || state.elapsed_seconds - last_redraw_ >= kRedrawSeconds))
    redraw(state);
}

void ProgressDisplay::end_epoch(const ProgressState& state) {
  if (mode_ == Mode::redraw) redraw(state);
  if (mode_ == Mode::per_epoch) {
    std::fprintf(out_, "%s\n", format_progress(state).c_str());
    std::fflush(out_);
  }
}

void ProgressDisplay::finish() {
  if (mode_ == Mode::redraw && drawn_width_ > 0) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

}  // namespace utrain::tools
