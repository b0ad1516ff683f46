// The element-wise steps split over the device's team (activations forward and backward, the
// optimizer updates) give the same bits as one member alone (a SerialTeam), as the host tests
// check on thread pools: here the shares run on the harts, with the device's own float code.
// The counts split unevenly over 8 members; 17 values run on the caller alone.
#include <string.h>

#include "core/team.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/activation.h"
#include "layers/optimizer.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::stream_values;

constexpr size_t kCounts[] = {17, 1000, 4099};

uint32_t bits_of(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  return bits;
}

// Checks got and want bit for bit (telling -0 from +0); a failure names `what` and the first
// index that differs. Returns whether all matched.
bool expect_same_bits(const char* what, const float* got, const float* want, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (bits_of(got[i]) == bits_of(want[i])) continue;
    const device_test::Note note("%s[%u] of %u", what, static_cast<unsigned>(i), static_cast<unsigned>(count));
    return EXPECT_EQ(bits_of(got[i]), bits_of(want[i]));
  }
  return true;
}

DEVICE_TEST(elementwise_team_activations_match_one_member_bitwise) {
  SerialTeam serial;
  const ExecContext& team = device_test::context();
  const ExecContext one{&serial, team.isas};
  const Activation kinds[] = {Activation::none, Activation::relu, Activation::leaky_relu, Activation::sigmoid,
                              Activation::tanh};
  for (size_t count : kCounts) {
    GoldenMemory::reset();
    float *x = GoldenMemory::floats(count), *dy = GoldenMemory::floats(count), *y = GoldenMemory::floats(count),
          *y_one = GoldenMemory::floats(count), *dx = GoldenMemory::floats(count),
          *dx_one = GoldenMemory::floats(count);
    ASSERT_TRUE(GoldenMemory::fits());
    stream_values(71, 0, x, count, 4.0f);
    stream_values(71, 1, dy, count);
    const TensorView xv = TensorView::matrix(x, 1, static_cast<int32_t>(count));
    const auto view = [&](float* values) { return TensorView::matrix(values, 1, static_cast<int32_t>(count)); };
    for (Activation kind : kinds) {
      const device_test::Note note("%s, %u values", activation_name(kind), static_cast<unsigned>(count));
      const ActivationParams p{kind, 0.1f};
      ASSERT_TRUE(activation_forward(team, p, xv, view(y)).ok());
      ASSERT_TRUE(activation_forward(one, p, xv, view(y_one)).ok());
      if (!expect_same_bits("y", y, y_one, count)) return;
      ASSERT_TRUE(activation_backward(team, p, view(y), view(dy), view(dx)).ok());
      ASSERT_TRUE(activation_backward(one, p, view(y_one), view(dy), view(dx_one)).ok());
      if (!expect_same_bits("dx", dx, dx_one, count)) return;
    }
  }
}

struct NamedConfig {
  const char* name;
  OptimizerConfig config;
};

NamedConfig named(const char* name, OptimizerKind kind, float momentum, bool nesterov, float weight_decay) {
  NamedConfig n{name, {}};
  n.config.kind = kind, n.config.lr = 0.05f, n.config.momentum = momentum, n.config.nesterov = nesterov;
  n.config.weight_decay = weight_decay;
  return n;
}

// SGD with momentum (the benchmarks' optimizer), with Nesterov and weight decay, Adam and AdamW;
// three steps each (SGD's first differs from the later ones), gradients unscaled and scaled.
DEVICE_TEST(elementwise_team_optimizers_match_one_member_bitwise) {
  SerialTeam serial;
  const ExecContext& team = device_test::context();
  const ExecContext one{&serial, team.isas};
  const NamedConfig configs[] = {named("sgd momentum", OptimizerKind::sgd, 0.9f, false, 0.0f),
                                 named("sgd nesterov decay", OptimizerKind::sgd, 0.9f, true, 0.01f),
                                 named("adam decay", OptimizerKind::adam, 0.0f, false, 0.01f),
                                 named("adamw", OptimizerKind::adamw, 0.0f, false, 0.01f)};
  const float grad_scales[] = {1.0f, 0.5f};
  for (size_t count : kCounts) {
    for (const NamedConfig& named_config : configs) {
      const OptimizerConfig& c = named_config.config;
      for (float grad_scale : grad_scales) {
        const device_test::Note note("%s, %u parameters, %s", named_config.name, static_cast<unsigned>(count),
                                     grad_scale == 1.0f ? "unscaled" : "scaled");
        const size_t state_floats = optimizer_state_floats(c, count);
        GoldenMemory::reset();
        float *param = GoldenMemory::floats(count), *param_one = GoldenMemory::floats(count),
              *grad = GoldenMemory::floats(count), *state = GoldenMemory::floats(state_floats),
              *state_one = GoldenMemory::floats(state_floats);
        ASSERT_TRUE(GoldenMemory::fits());
        stream_values(72, 0, param, count, 2.0f);
        memcpy(param_one, param, count * sizeof(float));
        memset(state, 0, state_floats * sizeof(float));
        memset(state_one, 0, state_floats * sizeof(float));
        for (int64_t step = 1; step <= 3; ++step) {
          stream_values(72, static_cast<uint64_t>(step), grad, count);
          ASSERT_TRUE(optimizer_step(team, c, step, param, grad, state, count, grad_scale).ok());
          ASSERT_TRUE(optimizer_step(one, c, step, param_one, grad, state_one, count, grad_scale).ok());
        }
        if (!expect_same_bits("param", param, param_one, count)) return;
        if (!expect_same_bits("state", state, state_one, state_floats)) return;
      }
    }
  }
}

}  // namespace
}  // namespace utrain
