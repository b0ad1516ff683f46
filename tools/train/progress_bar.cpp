#include "tools/train/progress_bar.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace utrain::tools {
namespace {

int digits(int64_t value) { return static_cast<int>(fmt::formatted_size("{}", value)); }

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-:--";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, s) : fmt::format("{}:{:02}", m, s);
}

double estimate_eta(double elapsed_seconds, int64_t done, int64_t total) {
  if (done <= 0) return -1.0;
  return elapsed_seconds * static_cast<double>(std::max<int64_t>(total - done, 0)) / static_cast<double>(done);
}

std::string format_progress(const ProgressState& state, int bar_width) {
  bar_width = std::max(bar_width, 1);
  const int64_t per_epoch = std::max<int64_t>(state.samples_per_epoch, 1);
  const int64_t done = std::clamp<int64_t>(state.samples_done, 0, per_epoch);
  const auto filled = static_cast<int>(done * bar_width / per_epoch);
  const std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar_width - filled), '.');
  const int epoch_width = digits(state.epochs);
  const int sample_width = digits(per_epoch);
  return fmt::format("epoch {:>{}}/{} [{}] {:>{}}/{}  loss {:.4f}  acc {:5.1f}%  {}  ETA {}", state.epoch,
                     epoch_width, state.epochs, bar, done, sample_width, per_epoch, state.running_loss,
                     100.0 * state.running_accuracy, format_duration(state.elapsed_seconds),
                     format_duration(state.eta_seconds));
}

}  // namespace utrain::tools
