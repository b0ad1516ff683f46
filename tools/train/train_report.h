// What a `utrain train` run reports at the end, as text for people and as JSON for scripts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "graph/plan.h"

namespace utrain::tools {

struct TrainReport {
  std::string model;            // describe_model()
  int64_t parameters = 0;       // trainable and frozen values
  std::string optimizer;        // sgd | adam | adamw
  float lr = 0, momentum = 0, weight_decay = 0;
  float lr_decay = 1;           // the learning rate's factor after each epoch
  int32_t batch = 1;
  int epochs = 0;
  int threads = 1;
  uint64_t seed = 0;
  size_t train_samples = 0, test_samples = 0;

  int64_t steps = 0;            // train_step calls
  double train_loss = 0;        // mean over the last epoch
  double train_accuracy = 0;    // last epoch, each sample predicted just before its update
  size_t test_correct = 0;
  double test_accuracy = 0;
  double step_microseconds = 0; // mean time inside train_step
  int64_t macs_per_step = 0;    // forward + weight grad + input grad, counted analytically
  PlanSummary memory;           // the plan; memory.total_bytes is the peak, allocated exactly
  double train_seconds = 0;     // the training loop
  double total_seconds = 0;     // the whole command: loading, planning, training, evaluating
  std::string checkpoint;       // where the model was saved; empty when it was not
};

std::string format_train_report(const TrainReport& report);
nlohmann::json train_report_json(const TrainReport& report);

// "12 345 bytes (12.1 KiB)".
std::string format_bytes(size_t bytes);

}  // namespace utrain::tools
