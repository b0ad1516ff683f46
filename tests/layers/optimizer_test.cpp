// Optimizers: several consecutive steps against an independent double-precision implementation
// of torch.optim's rules (written here from PyTorch's documented algorithms, not from the code
// under test), the state layout, gradient scaling, the same bits on every team size, and every
// configuration error.
#include "layers/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "pool_norm_test_support.h"
#include "support/same_bits.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

// The tests of the values run on one member; OptimizerTeams compares the other team sizes with it.
const ExecContext serial = testing::context_of(1);

// torch.optim.SGD / Adam / AdamW in double, one parameter array.
class ReferenceOptimizer {
 public:
  ReferenceOptimizer(const OptimizerConfig& c, size_t count) : c_(c), buf_(count), m_(count), v_(count) {}

  void step(int64_t t, std::vector<double>& p, const std::vector<float>& grad, double scale) {
    const double lr = c_.lr, wd = c_.weight_decay;
    for (size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] * scale;
      if (c_.kind == OptimizerKind::sgd) {
        g += wd * p[i];
        if (c_.momentum != 0) {
          buf_[i] = t == 1 ? g : c_.momentum * buf_[i] + (1 - static_cast<double>(c_.dampening)) * g;
          g = c_.nesterov ? g + c_.momentum * buf_[i] : buf_[i];
        }
        p[i] -= lr * g;
        continue;
      }
      if (c_.kind == OptimizerKind::adamw) p[i] *= 1 - lr * wd;
      else g += wd * p[i];
      m_[i] = c_.beta1 * m_[i] + (1 - static_cast<double>(c_.beta1)) * g;
      v_[i] = c_.beta2 * v_[i] + (1 - static_cast<double>(c_.beta2)) * g * g;
      const double m_hat = m_[i] / (1 - std::pow(static_cast<double>(c_.beta1), t));
      const double v_hat = v_[i] / (1 - std::pow(static_cast<double>(c_.beta2), t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + c_.eps);
    }
  }

  const std::vector<double>& momentum_buffer() const { return buf_; }
  const std::vector<double>& first_moment() const { return m_; }
  const std::vector<double>& second_moment() const { return v_; }

 private:
  OptimizerConfig c_;
  std::vector<double> buf_, m_, v_;
};

// Tolerance |float - double| ≤ 1e-6 + 1e-5·|double|: each step rounds a handful of float
// operations (~1e-7 relative each) and five steps accumulate them; a wrong rule (a missing
// dampening, bias correction or decay term) moves the values by 1e-3 or more.
::testing::AssertionResult close(const char* what, const float* got, const std::vector<double>& want) {
  for (size_t i = 0; i < want.size(); ++i) {
    const double allowed = 1e-6 + 1e-5 * std::fabs(want[i]);
    if (!(std::fabs(got[i] - want[i]) <= allowed))
      return ::testing::AssertionFailure() << what << "[" << i << "]: " << got[i] << " against " << want[i];
  }
  return ::testing::AssertionSuccess();
}

// Runs five steps with fresh random gradients of order one, comparing parameters and state
// after each one.
void expect_matches_reference(const OptimizerConfig& c, float grad_scale) {
  ASSERT_TRUE(check_optimizer_config(c).ok());
  constexpr size_t kCount = 37;
  Rng rng(31);
  std::vector<float> param(kCount), grad(kCount);
  for (float& p : param) p = rng.uniform_symmetric(2.0f);
  std::vector<double> want(param.begin(), param.end());
  std::vector<float> state(optimizer_state_floats(c, kCount), 0.0f);
  ReferenceOptimizer reference(c, kCount);
  for (int64_t t = 1; t <= 5; ++t) {
    SCOPED_TRACE(::testing::Message() << "step " << t);
    for (float& g : grad) g = rng.uniform_symmetric(1.5f);
    ASSERT_TRUE(optimizer_step(serial, c, t, param.data(), grad.data(), state.empty() ? nullptr : state.data(), kCount,
                               grad_scale)
                    .ok());
    reference.step(t, want, grad, grad_scale);
    ASSERT_TRUE(close("param", param.data(), want));
    if (c.kind == OptimizerKind::sgd && c.momentum != 0.0f) {
      ASSERT_TRUE(close("momentum buffer", state.data(), reference.momentum_buffer()));
    } else if (c.kind != OptimizerKind::sgd) {
      ASSERT_TRUE(close("first moment", state.data(), reference.first_moment()));
      ASSERT_TRUE(close("second moment", state.data() + kCount, reference.second_moment()));
    }
  }
}

OptimizerConfig sgd(float lr, float momentum = 0.0f, float dampening = 0.0f, bool nesterov = false,
                    float weight_decay = 0.0f) {
  OptimizerConfig c;
  c.kind = OptimizerKind::sgd, c.lr = lr, c.momentum = momentum, c.dampening = dampening;
  c.nesterov = nesterov, c.weight_decay = weight_decay;
  return c;
}

OptimizerConfig adam(OptimizerKind kind, float lr, float weight_decay = 0.0f, float beta1 = 0.9f,
                     float beta2 = 0.999f) {
  OptimizerConfig c;
  c.kind = kind, c.lr = lr, c.weight_decay = weight_decay, c.beta1 = beta1, c.beta2 = beta2;
  return c;
}

TEST(OptimizerSgd, plain_matches_double_reference) { expect_matches_reference(sgd(0.1f), 1.0f); }

TEST(OptimizerSgd, momentum_matches_double_reference) { expect_matches_reference(sgd(0.05f, 0.9f), 1.0f); }

// Dampening only applies from step 2: the buffer starts as the undamped first gradient.
TEST(OptimizerSgd, momentum_with_dampening_matches_double_reference) {
  expect_matches_reference(sgd(0.05f, 0.9f, 0.5f), 1.0f);
}

TEST(OptimizerSgd, nesterov_matches_double_reference) {
  expect_matches_reference(sgd(0.05f, 0.8f, 0.0f, true), 1.0f);
}

TEST(OptimizerSgd, weight_decay_with_and_without_momentum_matches_double_reference) {
  expect_matches_reference(sgd(0.1f, 0.0f, 0.0f, false, 0.01f), 1.0f);
  expect_matches_reference(sgd(0.05f, 0.9f, 0.1f, false, 0.05f), 1.0f);
  expect_matches_reference(sgd(0.05f, 0.9f, 0.0f, true, 0.05f), 1.0f);
}

TEST(OptimizerAdam, defaults_match_double_reference) {
  expect_matches_reference(adam(OptimizerKind::adam, 1e-3f), 1.0f);
  expect_matches_reference(adam(OptimizerKind::adam, 0.05f, 0.0f, 0.5f, 0.9f), 1.0f);
}

TEST(OptimizerAdam, coupled_weight_decay_matches_double_reference) {
  expect_matches_reference(adam(OptimizerKind::adam, 0.01f, 0.1f), 1.0f);
}

TEST(OptimizerAdamW, decoupled_weight_decay_matches_double_reference) {
  expect_matches_reference(adam(OptimizerKind::adamw, 0.01f, 0.1f), 1.0f);
  expect_matches_reference(adam(OptimizerKind::adamw, 1e-3f, 0.0f, 0.0f, 0.5f), 1.0f);
}

// Every loop the update has: SGD plain, with momentum, dampening or Nesterov (whose first step
// differs from the later ones), each without and with weight decay; Adam and AdamW, each without
// and with weight decay. With grad_scale 1 and another, every gradient term is covered.
std::vector<OptimizerConfig> every_variant() {
  std::vector<OptimizerConfig> configs;
  for (float wd : {0.0f, 0.05f}) {
    configs.push_back(sgd(0.05f, 0.0f, 0.0f, false, wd));
    configs.push_back(sgd(0.05f, 0.9f, 0.0f, false, wd));
    configs.push_back(sgd(0.05f, 0.9f, 0.3f, false, wd));
    configs.push_back(sgd(0.05f, 0.9f, 0.0f, true, wd));
    configs.push_back(adam(OptimizerKind::adam, 0.01f, wd));
    configs.push_back(adam(OptimizerKind::adamw, 0.01f, wd));
  }
  return configs;
}

std::string variant_name(const OptimizerConfig& c, float grad_scale) {
  const char* kinds[] = {"sgd", "adam", "adamw"};
  std::ostringstream name;
  name << kinds[static_cast<int>(c.kind)] << " momentum " << c.momentum << " dampening " << c.dampening
       << (c.nesterov ? " nesterov" : "") << " weight_decay " << c.weight_decay << " grad_scale " << grad_scale;
  return name.str();
}

// A gradient scale of 1 skips its multiply (not with weight decay); both paths against the rules.
TEST(OptimizerGradScale, every_variant_matches_double_reference_scaled_or_not) {
  for (const OptimizerConfig& c : every_variant()) {
    for (float grad_scale : {1.0f, 0.25f}) {
      SCOPED_TRACE(variant_name(c, grad_scale));
      expect_matches_reference(c, grad_scale);
    }
  }
}

TEST(OptimizerGradScale, every_kind_matches_double_reference_with_a_scaled_gradient) {
  expect_matches_reference(sgd(0.05f, 0.9f, 0.0f, true, 0.01f), 0.25f);
  expect_matches_reference(adam(OptimizerKind::adam, 0.01f, 0.1f), 1.0f / 3.0f);
  expect_matches_reference(adam(OptimizerKind::adamw, 0.01f, 0.1f), 1.0f / 3.0f);
}

// grad_scale applies to the gradient before weight decay joins it: scaling the gradient by a
// power of two beforehand (exact in float) gives the same bits.
TEST(OptimizerGradScale, scales_the_gradient_before_weight_decay) {
  for (const OptimizerConfig& c : {sgd(0.1f, 0.9f, 0.0f, false, 0.5f), adam(OptimizerKind::adam, 0.01f, 0.5f),
                                   adam(OptimizerKind::adamw, 0.01f, 0.5f)}) {
    SCOPED_TRACE(static_cast<int>(c.kind));
    std::vector<float> scaled_param = {0.5f, -1.0f, 2.0f}, prescaled_param = scaled_param;
    const std::vector<float> grad = {1.0f, 3.0f, -2.0f}, prescaled_grad = {0.25f, 0.75f, -0.5f};
    std::vector<float> state_a(optimizer_state_floats(c, 3)), state_b(state_a.size());
    for (int64_t t = 1; t <= 3; ++t) {
      ASSERT_TRUE(optimizer_step(serial, c, t, scaled_param.data(), grad.data(), state_a.data(), 3, 0.25f).ok());
      ASSERT_TRUE(optimizer_step(serial, c, t, prescaled_param.data(), prescaled_grad.data(), state_b.data(), 3).ok());
    }
    EXPECT_EQ(scaled_param, prescaled_param);
    EXPECT_EQ(state_a, state_b);
  }
}

// Parameter counts around the team's 16-float chunks: one, one chunk and a bit (run on the caller
// alone on every team; a bias of 8 or 128 floats is as small), then counts that split unevenly
// over 2, 3 and 8 members.
constexpr size_t kTeamCounts[] = {1, 17, 1000, 4099};

// Three consecutive steps (SGD's first step differs from the later ones) of every variant on each
// team size against one member, bit for bit: parameters and state.
TEST(OptimizerTeams, every_variant_is_bitwise_the_one_member_result) {
  for (size_t count : kTeamCounts) {
    const std::vector<float> start = testing::uniform_values(41, count, 2.0f);
    for (const OptimizerConfig& c : every_variant()) {
      for (float grad_scale : {1.0f, 0.25f}) {
        SCOPED_TRACE(::testing::Message() << variant_name(c, grad_scale) << ", " << count << " parameters");
        const auto run = [&](const ExecContext& ctx, std::vector<float>& param, std::vector<float>& state) {
          param = start;
          state.assign(optimizer_state_floats(c, count), 0.0f);
          for (int64_t t = 1; t <= 3; ++t) {
            const std::vector<float> grad = testing::uniform_values(static_cast<uint64_t>(41 + t), count);
            ASSERT_TRUE(optimizer_step(ctx, c, t, param.data(), grad.data(), state.empty() ? nullptr : state.data(),
                                       count, grad_scale)
                            .ok());
          }
        };
        std::vector<float> param_one, state_one;
        run(serial, param_one, state_one);
        for (int team : testing::kTeamSizes) {
          std::vector<float> param, state;
          run(testing::context_of(team), param, state);
          EXPECT_TRUE(testing::same_bits("param", param, param_one)) << "team " << team;
          EXPECT_TRUE(testing::same_bits("state", state, state_one)) << "team " << team;
        }
      }
    }
  }
}

// The outer-product update (a batch-1 Linear weight, its gradient dz ⊗ x never stored) against
// optimizer_step on the stored product, bit for bit: every variant, three steps, shapes whose
// rows split over the team's members mid-row (1 × 1, one row, one column, 7 × 13, 64 × 65), and
// every team size.
TEST(OptimizerOuter, every_variant_is_bitwise_the_update_from_the_stored_product) {
  const int32_t shapes[][2] = {{1, 1}, {1, 40}, {40, 1}, {7, 13}, {64, 65}};
  for (const auto& shape : shapes) {
    const int32_t rows = shape[0], cols = shape[1];
    const size_t count = static_cast<size_t>(rows) * static_cast<size_t>(cols);
    const std::vector<float> start = testing::uniform_values(43, count, 2.0f);
    for (const OptimizerConfig& c : every_variant()) {
      for (float grad_scale : {1.0f, 0.25f}) {
        SCOPED_TRACE(::testing::Message() << variant_name(c, grad_scale) << ", " << rows << " x " << cols);
        std::vector<float> param_stored = start, state_stored(optimizer_state_floats(c, count));
        for (int64_t t = 1; t <= 3; ++t) {
          const std::vector<float> dz = testing::uniform_values(static_cast<uint64_t>(50 + t), static_cast<size_t>(rows));
          const std::vector<float> x = testing::uniform_values(static_cast<uint64_t>(60 + t), static_cast<size_t>(cols));
          std::vector<float> grad(count);
          for (int32_t r = 0; r < rows; ++r)
            for (int32_t k = 0; k < cols; ++k) grad[static_cast<size_t>(r) * cols + k] = dz[r] * x[k];
          ASSERT_TRUE(optimizer_step(serial, c, t, param_stored.data(), grad.data(),
                                     state_stored.empty() ? nullptr : state_stored.data(), count, grad_scale)
                          .ok());
        }
        for (int team : testing::kTeamSizes) {
          std::vector<float> param = start, state(optimizer_state_floats(c, count));
          for (int64_t t = 1; t <= 3; ++t) {
            const std::vector<float> dz = testing::uniform_values(static_cast<uint64_t>(50 + t), static_cast<size_t>(rows));
            const std::vector<float> x = testing::uniform_values(static_cast<uint64_t>(60 + t), static_cast<size_t>(cols));
            ASSERT_TRUE(optimizer_step_outer(testing::context_of(team), c, t, param.data(), dz.data(), x.data(), rows,
                                             cols, state.empty() ? nullptr : state.data(), grad_scale)
                            .ok());
          }
          EXPECT_TRUE(testing::same_bits("param", param, param_stored)) << "team " << team;
          EXPECT_TRUE(testing::same_bits("state", state, state_stored)) << "team " << team;
        }
      }
    }
  }
}

TEST(OptimizerOuter, rejects_bad_shapes_and_pointers_before_writing) {
  float param[2] = {1.0f, 2.0f}, state[4] = {};
  const float dz[1] = {1.0f}, x[2] = {1.0f, -1.0f};
  const OptimizerConfig c = adam(OptimizerKind::adam, 0.1f);
  EXPECT_EQ(status_text(optimizer_step_outer(serial, c, 1, param, dz, x, 0, 2, state)),
            "invalid argument: optimizer step: the outer product needs rows and columns (got 0, expected 2)");
  EXPECT_EQ(status_text(optimizer_step_outer(serial, c, 1, param, nullptr, x, 1, 2, state)),
            "invalid argument: optimizer step: dz or x is null");
  EXPECT_EQ(status_text(optimizer_step_outer(serial, c, 1, param, dz, nullptr, 1, 2, state)),
            "invalid argument: optimizer step: dz or x is null");
  EXPECT_EQ(status_text(optimizer_step_outer(serial, c, 1, param, dz, x, 1, 2, nullptr)),
            "invalid argument: optimizer step: state is null but this optimizer keeps state");
  EXPECT_EQ(status_text(optimizer_step_outer(serial, c, 0, param, dz, x, 1, 2, state)),
            "invalid argument: optimizer step: step counts from 1 (got 0, expected 1)");
  EXPECT_EQ(param[0], 1.0f);
  EXPECT_EQ(param[1], 2.0f);
  EXPECT_EQ(state[0], 0.0f);
}

TEST(OptimizerState, sizes_follow_the_kind) {
  EXPECT_EQ(optimizer_state_floats(sgd(0.1f), 10), 0u);
  EXPECT_EQ(optimizer_state_floats(sgd(0.1f, 0.9f), 10), 10u);
  EXPECT_EQ(optimizer_state_floats(adam(OptimizerKind::adam, 0.1f), 10), 20u);
  EXPECT_EQ(optimizer_state_floats(adam(OptimizerKind::adamw, 0.1f), 10), 20u);
}

TEST(OptimizerState, plain_sgd_needs_no_state_but_momentum_and_adam_do) {
  float param[2] = {1.0f, 2.0f};
  const float grad[2] = {1.0f, 1.0f};
  EXPECT_TRUE(optimizer_step(serial, sgd(0.5f), 1, param, grad, nullptr, 2).ok());
  EXPECT_EQ(param[0], 0.5f);
  EXPECT_EQ(param[1], 1.5f);
  const char* text = "invalid argument: optimizer step: state is null but this optimizer keeps state";
  EXPECT_EQ(status_text(optimizer_step(serial, sgd(0.5f, 0.9f), 1, param, grad, nullptr, 2)), text);
  EXPECT_EQ(status_text(optimizer_step(serial, adam(OptimizerKind::adam, 0.5f), 1, param, grad, nullptr, 2)), text);
  EXPECT_EQ(param[0], 0.5f);  // refused steps leave the parameters alone
}

std::string config_error(const OptimizerConfig& c) { return status_text(check_optimizer_config(c)); }

TEST(OptimizerConfigCheck, accepts_pytorch_defaults) {
  EXPECT_TRUE(check_optimizer_config(OptimizerConfig{}).ok());
  EXPECT_TRUE(check_optimizer_config(sgd(0.01f, 0.9f, 0.0f, true, 1e-4f)).ok());
  EXPECT_TRUE(check_optimizer_config(adam(OptimizerKind::adam, 1e-3f)).ok());
  EXPECT_TRUE(check_optimizer_config(adam(OptimizerKind::adamw, 1e-3f, 1e-2f, 0.0f, 0.0f)).ok());
}

TEST(OptimizerConfigCheck, rejects_bad_learning_rates_and_weight_decay) {
  const char* lr_text = "invalid argument: optimizer: lr must be positive and finite";
  for (float lr : {0.0f, -0.1f, INFINITY, NAN}) {
    EXPECT_EQ(config_error(sgd(lr)), lr_text) << lr;
    EXPECT_EQ(config_error(adam(OptimizerKind::adamw, lr)), lr_text) << lr;
  }
  const char* wd_text = "invalid argument: optimizer: weight_decay must be non-negative and finite";
  for (float wd : {-1e-4f, INFINITY, NAN}) {
    EXPECT_EQ(config_error(sgd(0.1f, 0.0f, 0.0f, false, wd)), wd_text) << wd;
    EXPECT_EQ(config_error(adam(OptimizerKind::adam, 0.1f, wd)), wd_text) << wd;
  }
  OptimizerConfig unknown;
  unknown.kind = static_cast<OptimizerKind>(7);
  EXPECT_EQ(config_error(unknown), "invalid argument: optimizer: unknown optimizer kind");
}

TEST(OptimizerConfigCheck, rejects_bad_sgd_momentum_dampening_and_nesterov) {
  for (float momentum : {-0.5f, INFINITY, NAN})
    EXPECT_EQ(config_error(sgd(0.1f, momentum)), "invalid argument: optimizer: SGD momentum must be non-negative and finite")
        << momentum;
  EXPECT_EQ(config_error(sgd(0.1f, 0.9f, NAN)), "invalid argument: optimizer: SGD dampening must be finite");
  const char* nesterov_text = "invalid argument: optimizer: SGD nesterov needs momentum > 0 and dampening 0";
  EXPECT_EQ(config_error(sgd(0.1f, 0.0f, 0.0f, true)), nesterov_text);
  EXPECT_EQ(config_error(sgd(0.1f, 0.9f, 0.1f, true)), nesterov_text);
}

TEST(OptimizerConfigCheck, rejects_betas_outside_zero_to_one_and_bad_eps) {
  for (OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::adamw}) {
    for (float beta : {-0.1f, 1.0f, 1.5f, NAN}) {
      EXPECT_EQ(config_error(adam(kind, 0.1f, 0.0f, beta)), "invalid argument: optimizer: Adam beta1 must be in [0, 1)")
          << beta;
      EXPECT_EQ(config_error(adam(kind, 0.1f, 0.0f, 0.9f, beta)),
                "invalid argument: optimizer: Adam beta2 must be in [0, 1)")
          << beta;
    }
    for (float eps : {0.0f, -1e-8f, INFINITY, NAN}) {
      OptimizerConfig c = adam(kind, 0.1f);
      c.eps = eps;
      EXPECT_EQ(config_error(c), "invalid argument: optimizer: Adam eps must be positive and finite") << eps;
    }
  }
}

// Each kind checks the fields it uses: torch.optim.Adam has no momentum, SGD has no betas.
TEST(OptimizerConfigCheck, ignores_fields_of_other_kinds) {
  OptimizerConfig c = adam(OptimizerKind::adam, 0.1f);
  c.momentum = -1.0f, c.nesterov = true;
  EXPECT_TRUE(check_optimizer_config(c).ok());
  c = sgd(0.1f);
  c.beta1 = 2.0f, c.eps = 0.0f;
  EXPECT_TRUE(check_optimizer_config(c).ok());
}

TEST(OptimizerStepCheck, rejects_bad_steps_pointers_and_scales) {
  float param[1] = {1.0f}, state[2] = {0.0f, 0.0f};
  const float grad[1] = {1.0f};
  const OptimizerConfig c = adam(OptimizerKind::adam, 0.1f);
  const Status zero = optimizer_step(serial, c, 0, param, grad, state, 1);
  EXPECT_EQ(status_text(zero), "invalid argument: optimizer step: step counts from 1 (got 0, expected 1)");
  EXPECT_EQ(optimizer_step(serial, c, -3, param, grad, state, 1).got(), -3);
  EXPECT_EQ(status_text(optimizer_step(serial, c, 1, nullptr, grad, state, 1)),
            "invalid argument: optimizer step: param is null");
  EXPECT_EQ(status_text(optimizer_step(serial, c, 1, param, nullptr, state, 1)),
            "invalid argument: optimizer step: grad is null");
  EXPECT_EQ(status_text(optimizer_step(ExecContext{}, c, 1, param, grad, state, 1)),
            "invalid argument: optimizer step: the context has no team");
  EXPECT_EQ(status_text(optimizer_step(serial, c, 1, param, grad, state, 1, NAN)),
            "invalid argument: optimizer step: grad_scale must be finite");
  EXPECT_EQ(status_text(optimizer_step(serial, sgd(-1.0f), 1, param, grad, nullptr, 1)),
            "invalid argument: optimizer: lr must be positive and finite");
  EXPECT_EQ(param[0], 1.0f);
  EXPECT_EQ(state[0], 0.0f);
}

}  // namespace
}  // namespace utrain
