// The Trainer's StepProbe: every part of a training step (forward, fused activation backward,
// weight and input gradients, update, loss) reported once per step, in the order the step runs
// them, as begin/end pairs that never nest; with gradient accumulation the updates come after
// the backward pass, and only on the step that updates.
#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "graph/trainer.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

struct Part {
  int node;
  TrainPhase phase;
  bool operator==(const Part&) const = default;
};

void PrintTo(const Part& p, std::ostream* os) { *os << train_phase_name(p.phase) << p.node; }

// What the probe saw: each begin must be closed by the end of the same part before the next begin.
struct Recorder {
  std::vector<Part> parts;
  bool open = false;
  int errors = 0;

  static void begin(void* user, int node, TrainPhase phase) {
    auto* r = static_cast<Recorder*>(user);
    if (r->open) ++r->errors;
    r->open = true;
    r->parts.push_back({node, phase});
  }
  static void end(void* user, int node, TrainPhase phase) {
    auto* r = static_cast<Recorder*>(user);
    if (!r->open || !(r->parts.back() == Part{node, phase})) ++r->errors;
    r->open = false;
  }
  StepProbe probe() { return StepProbe{&Recorder::begin, &Recorder::end, this}; }
};

struct ProbedTrainer {
  Model model;
  TrainConfig config;
  Plan plan;
  std::vector<unsigned char> memory;
  Trainer trainer;
  Recorder recorder;

  ProbedTrainer(const Model& m, int32_t accumulate_steps) : model(m) {
    config.optimizer.momentum = 0.9f;
    config.accumulate_steps = accumulate_steps;
    EXPECT_TRUE(plan_training(model, config, &plan).ok());
    memory.assign(plan.summary.total_bytes, 0);
    const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
    EXPECT_TRUE(trainer.init(model, config, plan, ctx, memory.data(), memory.size()).ok());
    EXPECT_TRUE(trainer.initialize(5).ok());
    const StepProbe probe = recorder.probe();
    EXPECT_TRUE(trainer.set_probe(&probe).ok());
  }
  std::vector<Part> step() {
    recorder.parts.clear();
    std::vector<float> x(static_cast<size_t>(model.input_features()), 0.5f);
    std::vector<float> want(static_cast<size_t>(model.output_features()), 0.25f);
    float loss = 0.0f;
    EXPECT_TRUE(trainer.train_step(x.data(), Target::regression(want.data()), &loss).ok());
    EXPECT_EQ(recorder.errors, 0);
    EXPECT_FALSE(recorder.open);
    return recorder.parts;
  }
};

constexpr TrainPhase fw = TrainPhase::forward, act_bw = TrainPhase::activation_backward,
                     wg = TrainPhase::weight_grad, ig = TrainPhase::input_grad, update = TrainPhase::update,
                     loss = TrainPhase::loss;

// Nodes: 1 linear, 2 relu (fused into 1), 3 linear.
Model two_layers() {
  Model m(6);
  m.linear(9).relu().linear(4);
  return m;
}

TEST(TrainerProbe, probe_sees_every_part_once_in_order_with_updates_in_backward) {
  ProbedTrainer run(two_layers(), 1);
  ASSERT_TRUE(run.plan.update_in_backward);
  ASSERT_TRUE(run.plan.nodes[2].fused_into_previous);
  // The first layer sends no input gradient: nothing reads it.
  const std::vector<Part> want = {{1, fw}, {3, fw},     {3, loss}, {3, wg}, {3, ig},
                                  {3, update}, {1, act_bw}, {1, wg}, {1, update}};
  EXPECT_EQ(run.step(), want);
  EXPECT_EQ(run.step(), want);
}

TEST(TrainerProbe, probe_sees_updates_after_backward_only_on_the_updating_step_when_accumulating) {
  ProbedTrainer run(two_layers(), 2);
  ASSERT_FALSE(run.plan.update_in_backward);
  const std::vector<Part> backward = {{1, fw}, {3, fw}, {3, loss}, {3, wg}, {3, ig}, {1, act_bw}, {1, wg}};
  EXPECT_EQ(run.step(), backward);
  std::vector<Part> updating = backward;
  updating.push_back({1, update});
  updating.push_back({3, update});
  EXPECT_EQ(run.step(), updating);
}

TEST(TrainerProbe, probe_sees_both_input_gradients_of_add_as_one_part) {
  // Nodes: 1 linear, 2 relu (fused), 3 linear, 4 add(3, 2), 5 linear.
  Model m(5);
  m.linear(5).relu();
  const int block_in = m.last();
  m.linear(5).add(block_in).linear(3);
  ProbedTrainer run(m, 1);
  ASSERT_EQ(run.model.node(4).kind, NodeKind::add);
  const std::vector<Part> want = {{1, fw},     {3, fw}, {4, fw}, {5, fw},     {5, loss}, {5, wg},
                                  {5, ig},     {5, update}, {4, ig}, {3, wg}, {3, ig},   {3, update},
                                  {1, act_bw}, {1, wg},     {1, update}};
  EXPECT_EQ(run.step(), want);
}

TEST(TrainerProbe, probe_sees_the_forward_steps_of_inference) {
  ProbedTrainer run(two_layers(), 1);
  std::vector<float> x(6, 0.5f);
  const float* out = nullptr;
  ASSERT_TRUE(run.trainer.forward(x.data(), 1, &out).ok());
  EXPECT_EQ(run.recorder.parts, (std::vector<Part>{{1, fw}, {3, fw}}));
  EXPECT_EQ(run.recorder.errors, 0);
}

TEST(TrainerProbe, null_probe_stops_the_calls) {
  ProbedTrainer run(two_layers(), 1);
  ASSERT_TRUE(run.trainer.set_probe(nullptr).ok());
  EXPECT_TRUE(run.step().empty());
}

TEST(TrainerProbe, probe_without_end_is_refused) {
  ProbedTrainer run(two_layers(), 1);
  StepProbe half = run.recorder.probe();
  half.end = nullptr;
  const Status s = run.trainer.set_probe(&half);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  // The probe set before stays.
  EXPECT_EQ(run.step().size(), 9u);
}

}  // namespace
}  // namespace utrain
