#include "tools/train/train_report.h"

#include <fmt/format.h>

namespace utrain::tools {
namespace {

std::string group_thousands(size_t value) {
  std::string digits = fmt::format("{}", value);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), 1, ' ');
  return digits;
}

std::string optimizer_text(const TrainReport& r) {
  std::string text = fmt::format("{} lr {:g}", r.optimizer, r.lr);
  if (r.lr_decay != 1) text += fmt::format(" (×{:g} per epoch)", r.lr_decay);
  if (r.optimizer == "sgd") text += fmt::format(" momentum {:g}", r.momentum);
  if (r.weight_decay > 0) text += fmt::format(" weight decay {:g}", r.weight_decay);
  return text;
}

}  // namespace

std::string format_bytes(size_t bytes) {
  return fmt::format("{} bytes ({:.1f} KiB)", group_thousands(bytes), static_cast<double>(bytes) / 1024.0);
}

std::string format_train_report(const TrainReport& r) {
  const PlanSummary& m = r.memory;
  const double macs_per_second = r.step_microseconds > 0 ? static_cast<double>(r.macs_per_step) / r.step_microseconds * 1e6 : 0;
  std::string text;
  text += fmt::format("model          {} ({} parameters)\n", r.model, r.parameters);
  text += fmt::format("training       {} epoch{} of {} samples, batch {}, {}, seed {}, {} thread{}\n", r.epochs,
                      r.epochs == 1 ? "" : "s", r.train_samples, r.batch, optimizer_text(r), r.seed, r.threads,
                      r.threads == 1 ? "" : "s");
  text += fmt::format("last epoch     loss {:.4f}, train accuracy {:.2f}%\n", r.train_loss, 100.0 * r.train_accuracy);
  text += fmt::format("test accuracy  {:.2f}% ({}/{} samples)\n", 100.0 * r.test_accuracy, r.test_correct, r.test_samples);
  text += fmt::format("train step     {:.2f} µs mean over {} steps ({} MAC per step, {:.2f} GMAC/s)\n",
                      r.step_microseconds, r.steps, r.macs_per_step, macs_per_second / 1e9);
  text += fmt::format("peak memory    {}, planned before the first step:\n", format_bytes(m.total_bytes));
  text += fmt::format("  parameters            {:>9}\n", group_thousands(m.parameters));
  text += fmt::format("  gradients             {:>9}\n", group_thousands(m.gradients));
  text += fmt::format("  optimizer state       {:>9}\n", group_thousands(m.optimizer_state));
  text += fmt::format("  running statistics    {:>9}\n", group_thousands(m.running_state));
  text += fmt::format("  activations           {:>9}\n", group_thousands(m.activations));
  text += fmt::format("  activation gradients  {:>9}\n", group_thousands(m.activation_grads));
  text += fmt::format("  saved statistics      {:>9}\n", group_thousands(m.saved));
  text += fmt::format("  workspace             {:>9}\n", group_thousands(m.workspace));
  text += "  (buffers with disjoint lifetimes share memory; the total includes alignment)\n";
  text += fmt::format("time           {:.2f} s training, {:.2f} s total\n", r.train_seconds, r.total_seconds);
  if (!r.checkpoint.empty()) text += fmt::format("checkpoint     {}\n", r.checkpoint);
  return text;
}

nlohmann::json train_report_json(const TrainReport& r) {
  const PlanSummary& m = r.memory;
  return nlohmann::json{
      {"model", r.model},
      {"parameters", r.parameters},
      {"optimizer",
       {{"kind", r.optimizer},
        {"lr", r.lr},
        {"lr_decay", r.lr_decay},
        {"momentum", r.momentum},
        {"weight_decay", r.weight_decay}}},
      {"batch", r.batch},
      {"epochs", r.epochs},
      {"threads", r.threads},
      {"seed", r.seed},
      {"train_samples", r.train_samples},
      {"test_samples", r.test_samples},
      {"steps", r.steps},
      {"train_loss", r.train_loss},
      {"train_accuracy", r.train_accuracy},
      {"test_correct", r.test_correct},
      {"test_accuracy", r.test_accuracy},
      {"step_microseconds", r.step_microseconds},
      {"macs_per_step", r.macs_per_step},
      {"memory_bytes",
       {{"total", m.total_bytes},
        {"parameters", m.parameters},
        {"gradients", m.gradients},
        {"optimizer_state", m.optimizer_state},
        {"running_state", m.running_state},
        {"activations", m.activations},
        {"activation_gradients", m.activation_grads},
        {"saved", m.saved},
        {"workspace", m.workspace}}},
      {"train_seconds", r.train_seconds},
      {"total_seconds", r.total_seconds},
      {"checkpoint", r.checkpoint.empty() ? nlohmann::json() : nlohmann::json(r.checkpoint)},
  };
}

}  // namespace utrain::tools
