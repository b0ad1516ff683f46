// ClassifierSession: a model ready to run on the host — planned, given exactly the planned
// bytes, and bound to a team — for training (plan_training) or for evaluation only
// (plan_inference, no gradients or optimizer state). It owns everything the Trainer points
// into, so it is created once and never moved.
#pragma once
#include <memory>

#include "graph/model.h"
#include "graph/plan.h"
#include "graph/trainer.h"
#include "tools/data/dataset.h"
#include "tools/train/aligned_buffer.h"
#include "tools/train/host_team.h"

namespace utrain::tools {

class ClassifierSession {
 public:
  // Throws ToolError when planning or initialising fails.
  static std::unique_ptr<ClassifierSession> for_training(const Model& model, const TrainConfig& config, int threads);
  static std::unique_ptr<ClassifierSession> for_inference(const Model& model, int threads);

  ClassifierSession(const ClassifierSession&) = delete;
  ClassifierSession& operator=(const ClassifierSession&) = delete;

  const Model& model() const { return model_; }
  const Plan& plan() const { return plan_; }
  Trainer& trainer() { return trainer_; }
  const Trainer& trainer() const { return trainer_; }

  // Sets the learning rate of the steps that follow (a schedule). The Trainer takes its
  // optimizer settings when it is set up, so this sets it up again over the same plan and
  // memory, keeping every parameter and running statistic: the optimizer's state (momentum,
  // Adam's moments) and the trainer's step count start afresh.
  void set_learning_rate(float lr);

  // The class the model predicts for one sample.
  int32_t predict(const float* sample);
  // How many samples of `data` are predicted right. Samples go through forward() one at a time,
  // so the count does not depend on the planned batch (a batch may pick another kernel, which
  // sums in another order): training and `utrain eval` agree exactly.
  size_t count_correct(const Dataset& data);

 private:
  ClassifierSession(const Model& model, const TrainConfig& config, bool training, int threads);

  Model model_;
  TrainConfig config_;
  Plan plan_;
  HostTeam team_;
  std::unique_ptr<AlignedBuffer> memory_;
  Trainer trainer_;
};

}  // namespace utrain::tools
