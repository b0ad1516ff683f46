// A Trainer ready to run a golden training case: the model built from the case's layer list,
// its training plan, exactly plan.summary.total_bytes of memory, and the parameters drawn by
// Trainer::initialize. It owns everything the Trainer points to, so it neither copies nor moves.
#pragma once
#include <cstdint>
#include <vector>

#include "golden/golden_cases.h"
#include "graph/trainer.h"

namespace utrain::golden {

class GoldenTraining {
 public:
  GoldenTraining(int32_t input_features, const LayerSpec* layers, int32_t layer_count);
  GoldenTraining(const GoldenTraining&) = delete;
  GoldenTraining& operator=(const GoldenTraining&) = delete;

  // Plans, lays the plan out in fresh memory and initializes the parameters from `init_seed`.
  Status start(const TrainConfig& config, const ExecContext& ctx, uint64_t init_seed);

  Trainer& trainer() { return trainer_; }
  // Every parameter, concatenated in Trainer::parameter() order.
  std::vector<float> parameters() const;

 private:
  Model model_;
  Plan plan_;
  std::vector<unsigned char> memory_;
  Trainer trainer_;
};

}  // namespace utrain::golden
