// Trainer::kernel_name: the kernel each step of a node runs with, as benchmarks print it beside
// the step's time or instruction count: a table entry of the right kind, the one set_kernel
// fixed, nothing for nodes without a kernel.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "graph/trainer.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

TEST(TrainerKernelName, names_table_kernels_and_the_kernel_set_for_a_step) {
  // Nodes: 1 depthwise 3x3, 2 relu (fused), 3 pointwise, 4 global average pool, 5 flatten, 6 linear.
  Window2d k3;
  k3.kernel_h = k3.kernel_w = 3;
  k3.pad = Padding2d::same(1);
  Model m(4, 6, 6);
  m.depthwise_conv2d(k3).relu().pointwise_conv2d(5).global_avg_pool().flatten().linear(3);
  TrainConfig config;
  Plan plan;
  ASSERT_TRUE(plan_training(m, config, &plan).ok());
  std::vector<unsigned char> memory(plan.summary.total_bytes);
  Trainer trainer;
  EXPECT_EQ(trainer.kernel_name(1, LayerStep::forward), nullptr);  // before init()
  const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  ASSERT_TRUE(trainer.init(m, config, plan, ctx, memory.data(), memory.size()).ok());

  for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
    SCOPED_TRACE(layer_step_name(step));
    const char* depthwise = trainer.kernel_name(1, step);
    ASSERT_NE(depthwise, nullptr);
    EXPECT_NE(find_depthwise_kernel(depthwise), nullptr) << depthwise;
    for (int node : {3, 6}) {
      const char* matmul = trainer.kernel_name(node, step);
      ASSERT_NE(matmul, nullptr);
      EXPECT_NE(find_matmul_kernel(matmul), nullptr) << matmul;
    }
    for (int node : {0, 2, 4, 5, 7, -1}) EXPECT_EQ(trainer.kernel_name(node, step), nullptr) << node;
  }

  // Linear forward at batch 1 is a row times a transposed matrix: a dot-form (n_t) kernel.
  const MatMulKernel* naive = find_matmul_kernel("mm_f32_n_t_1x1_u1_par_n");
  ASSERT_NE(naive, nullptr);
  ASSERT_TRUE(trainer.set_kernel(6, LayerStep::forward, naive).ok());
  EXPECT_STREQ(trainer.kernel_name(6, LayerStep::forward), naive->name);
}

}  // namespace
}  // namespace utrain
