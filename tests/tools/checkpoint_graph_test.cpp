// Checkpoints of convolutional and residual graphs (format version 2): every node kind with all
// its fields, both layouts, BatchNorm's running statistics, exact round trips; every edited
// node field refused; version-1 files still read.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checkpoint_bytes.h"
#include "core/rng.h"
#include "temp_dir.h"
#include "tools/byte_stream.h"
#include "tools/checkpoint.h"
#include "tools/checkpoint_nodes.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"
#include "tools/train/classifier_session.h"

namespace utrain::tools {
namespace {

using utrain::testing::decode_error;
using utrain::testing::expect_contains;
using utrain::testing::file_bytes;
using utrain::testing::reseal;
using utrain::testing::TempDir;

constexpr int32_t kClasses = 3;
constexpr Window2d kSame3x3{3, 3, 1, 1, Padding2d::same(1)};
constexpr Window2d kHalve{2, 2, 2, 2, Padding2d{}};

// Every node kind, the flags, a residual block (from/last/add) and non-default fields:
//   0 input 2×8×8 → 1 conv 4 3×3 (no bias) → 2 batch_norm(eps 1e-3, momentum 0.2) → 3 relu
//   → 4 depthwise 3×3 → 5 instance_norm → 6 leaky_relu(0.2)        (main path)
//   → 7 pointwise 4 from node 3, bias only                          (shortcut)
//   → 8 add(node 6) → 9 avg_pool 2×2/2 (padding not counted) → 10 conv_transpose 3 2×2/2, frozen
//   → 11 max_pool 2×2/2 → 12 layer_norm → 13 reshape 6×2×4 → 14 global_avg_pool → 15 flatten
//   → 16 linear 5 → 17 tanh → 18 linear 3
Model every_kind_model(Layout layout) {
  Model m(2, 8, 8, layout);
  m.conv2d(4, kSame3x3, false).batch_norm2d(1e-3f, 0.2f).relu();
  const int block_in = m.last();
  m.depthwise_conv2d(kSame3x3).instance_norm2d().leaky_relu(0.2f);
  const int main_path = m.last();
  m.from(block_in).pointwise_conv2d(4).train_bias_only();
  m.add(main_path).avg_pool2d(kHalve, false).conv_transpose2d(3, kHalve).freeze();
  m.max_pool2d(kHalve).layer_norm().reshape(6, 2, 4).global_avg_pool().flatten();
  m.linear(5).tanh().linear(kClasses);
  return m;
}

std::unique_ptr<ClassifierSession> trained_session(const Model& model, uint64_t seed, int steps) {
  TrainConfig config;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.lr = 0.05f;
  config.optimizer.momentum = 0.9f;
  auto session = ClassifierSession::for_training(model, config, 1);
  EXPECT_TRUE(session->trainer().initialize(seed).ok());
  Rng rng(seed, 77);
  std::vector<float> x(static_cast<size_t>(model.input_features()));
  for (int step = 0; step < steps; ++step) {
    for (float& v : x) v = rng.uniform_symmetric(2.0f);
    const int32_t label = step % kClasses;
    float loss = 0;
    EXPECT_TRUE(session->trainer().train_step(x.data(), Target::classes(&label), &loss).ok());
  }
  return session;
}

std::vector<std::byte> encode(const ClassifierSession& s) { return encode_checkpoint(s.model(), s.trainer()); }

std::vector<float> forward_of(ClassifierSession& s, const std::vector<float>& x) {
  const float* y = nullptr;
  EXPECT_TRUE(s.trainer().forward(x.data(), 1, &y).ok());
  return std::vector<float>(y, y + s.model().output_features());
}

// Where node `id`'s record starts in an encoded checkpoint of `model`.
size_t node_offset(const Model& model, int id) {
  ByteWriter before;
  for (int i = 0; i < id; ++i) write_node_record(before, kCheckpointVersion, model.node(i), model.layout());
  return 28 + before.size();  // after the header
}

class CheckpointGraph : public ::testing::TestWithParam<Layout> {};

TEST_P(CheckpointGraph, every_node_kind_round_trips_with_running_statistics) {
  const Model model = every_kind_model(GetParam());
  ASSERT_TRUE(model.status().ok());
  const auto original = trained_session(model, 3, 5);
  const std::vector<std::byte> bytes = encode(*original);
  const Checkpoint checkpoint = decode_checkpoint(bytes, "memory");
  EXPECT_EQ(checkpoint.version, 2u);
  EXPECT_TRUE(same_model(checkpoint.model, model));
  EXPECT_EQ(checkpoint.model.layout(), GetParam());
  EXPECT_EQ(describe_model(checkpoint.model), describe_model(model));
  EXPECT_EQ(checkpoint.model.node(7).input, 3);         // the shortcut reads the block input
  EXPECT_EQ(checkpoint.model.node(8).second_input, 6);  // and is added to the main path
  EXPECT_TRUE(checkpoint.model.node(7).bias_only);
  EXPECT_TRUE(checkpoint.model.node(10).frozen);

  // BatchNorm's running statistics moved away from their start (0 and 1) and travel too.
  const auto restored = trained_session(model, 99, 0);
  restore_parameters(checkpoint, restored->model(), restored->trainer());
  bool running_moved = false;
  for (int p = 0; p < original->trainer().parameter_count(); ++p) {
    const ParameterView a = original->trainer().parameter(p), b = restored->trainer().parameter(p);
    ASSERT_EQ(a.count, b.count);
    EXPECT_EQ(std::memcmp(a.values, b.values, a.count * sizeof(float)), 0) << "parameter " << p;
    if (a.role == ParamRole::running_var) running_moved = a.values[0] != 1.0f;
  }
  EXPECT_TRUE(running_moved);
  const std::vector<float> x(static_cast<size_t>(model.input_features()), 0.25f);
  EXPECT_EQ(forward_of(*original, x), forward_of(*restored, x));
  EXPECT_EQ(encode(*restored), bytes);
}

INSTANTIATE_TEST_SUITE_P(Layouts, CheckpointGraph, ::testing::Values(Layout::chw, Layout::hwc),
                         [](const auto& layout) { return std::string(layout.param == Layout::chw ? "chw" : "hwc"); });

// The bytes of a checkpoint of every_kind_model(CHW) with one field or one node record changed
// and the checksum made right again, and the error they give.
class EditedGraphCheckpoint : public ::testing::Test {
 protected:
  EditedGraphCheckpoint() : model_(every_kind_model(Layout::chw)), bytes_(encode(*trained_session(model_, 1, 0))) {}

  // The field at `offset` bytes into node `id`'s record set to `value` (`width` bytes, little-endian).
  std::string error_with(int id, size_t offset, int32_t value, size_t width = 4) {
    std::vector<std::byte> bytes = bytes_;
    const size_t at = node_offset(model_, id) + offset;
    for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<std::byte>(static_cast<uint32_t>(value) >> (8 * i));
    reseal(bytes);
    return decode_error(bytes);
  }

  // Node `id`'s record replaced by that of `node` (the file size recorded in the header follows).
  std::string error_with_record(int id, const Node& node) {
    ByteWriter record;
    write_node_record(record, kCheckpointVersion, node, Layout::chw);
    std::vector<std::byte> bytes(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(node_offset(model_, id)));
    bytes.insert(bytes.end(), record.bytes().begin(), record.bytes().end());
    bytes.insert(bytes.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(node_offset(model_, id + 1)), bytes_.end());
    for (size_t i = 0; i < 8; ++i) bytes[12 + i] = static_cast<std::byte>(uint64_t{bytes.size()} >> (8 * i));
    reseal(bytes);
    return decode_error(bytes);
  }

  static constexpr size_t kFrozen = 1, kBiasOnly = 2, kInput = 3, kSecondInput = 7, kSampleC = 11, kParams = 23;
  // conv2d's fields: in and out channels, a window of 10 int32, the bias flag, the fused activation.
  static constexpr size_t kConvOut = kParams + 4, kConvAct = kParams + 49;

  Model model_;
  std::vector<std::byte> bytes_;
};

TEST_F(EditedGraphCheckpoint, codes_flags_and_inputs_out_of_range_are_named) {
  expect_contains(error_with(4, 0, 13, 1), "model.utck: node 4: kind 13 is not valid");
  expect_contains(error_with(3, kFrozen, 2, 1), "node 3: frozen flag 2 is not valid");
  expect_contains(error_with(3, kBiasOnly, 7, 1), "node 3: bias-only flag 7 is not valid");
  expect_contains(error_with(7, kInput, 7), "node 7: input node 7 is not valid");  // itself
  expect_contains(error_with(7, kInput, -1), "node 7: input node -1 is not valid");
  expect_contains(error_with(0, kInput, 0), "node 0: input node 0 is not valid");
  expect_contains(error_with(8, kSecondInput, 9), "node 8: second input node 9 is not valid");
  expect_contains(error_with(9, kSecondInput, 2), "node 9: second input node 2 is not valid");  // not an add
  expect_contains(error_with(0, kParams, 2, 1), "node 0: layout 2 is not valid");
  expect_contains(error_with(3, kParams, 5, 1), "node 3: activation 5 is not valid");
  expect_contains(error_with(11, kParams, 2, 1), "node 11: pool kind 2 is not valid");
  expect_contains(error_with(1, kConvAct, 9, 1), "node 1: fused activation 9 is not valid");
  expect_contains(error_with(2, kParams + 12, 3, 1), "node 2: affine flag 3 is not valid");
  expect_contains(error_with(1, kParams + 54, 2, 1), "node 1: layout 2 is not valid");
}

TEST_F(EditedGraphCheckpoint, fields_the_builder_makes_otherwise_are_inconsistent) {
  // The convolution's output channels: its sample (stored: 4 channels) then disagrees.
  expect_contains(error_with(1, kConvOut, 5),
                  "model.utck: node 1 (conv 5 3×3 (no bias)) is inconsistent: the model builder makes it conv 5 3×3 "
                  "(no bias) (its record differs from byte 11 on)");
  // A derived field: the convolution's input channels follow the model input.
  expect_contains(error_with(1, kParams, 3), "node 1 (conv 4 3×3 (no bias)) is inconsistent");
  // A fused activation, and a norm without affine parameters: the builder makes neither.
  expect_contains(error_with(1, kConvAct, 1, 1), "node 1 (conv 4 3×3+relu (no bias)) is inconsistent");
  expect_contains(error_with(2, kParams + 12, 0, 1), "node 2 (batch_norm) is inconsistent");
  // Max pooling always counts padding (the flag is average pooling's).
  expect_contains(error_with(11, kParams + 41, 0, 1), "node 11 (max_pool 2×2/2) is inconsistent");
  // The model's layout: every layer is then built for HWC, which the stored CHW layers contradict.
  expect_contains(error_with(0, kParams, 1, 1), "node 1 (conv 4 3×3 (no bias)) is inconsistent: the model builder "
                                                "makes it conv 4 3×3 (no bias) (its record differs from byte 77 on)");
}

TEST_F(EditedGraphCheckpoint, nodes_the_builder_rejects_are_named) {
  Node second_input = model_.node(0);
  second_input.input = 0;
  expect_contains(error_with_record(1, second_input), "model.utck: node 1 is a second model input");
  Node reshape_first = model_.node(13);
  reshape_first.input = -1;
  expect_contains(error_with_record(0, reshape_first), "model.utck: node 0 is reshape, not the model input");
  // bias_only on a node without a bias (the first convolution has none), frozen on a pooling.
  expect_contains(error_with(1, kBiasOnly, 1, 1),
                  "model.utck: node 1: invalid argument: model: train_bias_only() must follow a layer with a bias");
  expect_contains(error_with(9, kFrozen, 1, 1), "node 9: invalid argument: model: freeze() must follow a layer");
  expect_contains(error_with(0, kSampleC, 0), "model.utck: node 0: invalid argument: model: input dimensions");
  // A window larger than the image, a sum of different shapes, a reshape to another count.
  expect_contains(error_with(11, kParams + 1, 9), "model.utck: node 11: ");
  expect_contains(error_with(8, kSecondInput, 0), "node 8: shape mismatch: model: add() of outputs with different");
  expect_contains(error_with(13, kSampleC, 7), "node 13: shape mismatch: model: reshape() must keep the values");
}

TEST_F(EditedGraphCheckpoint, parameter_arrays_follow_the_rebuilt_graph) {
  // The first array is the first convolution's weight (4 × 2 × 3 × 3 values); node 2's gamma,
  // beta, running mean and running var follow.
  const size_t arrays = node_offset(model_, model_.node_count());
  std::vector<std::byte> bytes = bytes_;
  const size_t second = arrays + 16 + 4 * 72;  // node 2's gamma
  bytes[second + 4] = std::byte{2};            // its role: running mean
  reseal(bytes);
  expect_contains(decode_error(bytes),
                  "parameter array of node 2 (running_mean, 4 values) where node 2 weight with 4 values was expected");
}

TEST_F(EditedGraphCheckpoint, every_truncation_is_refused) {
  for (size_t keep = 0; keep < bytes_.size(); keep += 7) {
    const std::vector<std::byte> cut(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(keep));
    expect_contains(decode_error(cut), "truncated");
  }
}

// A file written by the version-1 code (tests/tools/fixtures/README.md).
std::filesystem::path version1_fixture() {
  return std::filesystem::path(__FILE__).parent_path() / "fixtures" / "digits_mlp_v1.utck";
}

TEST(CheckpointVersion1, loads_and_saves_again_as_version_2) {
  const Checkpoint v1 = load_checkpoint(version1_fixture());
  EXPECT_EQ(v1.version, 1u);
  EXPECT_EQ(describe_model(v1.model), "input 64 → linear 8 → relu → linear 10");
  EXPECT_EQ(v1.model.layout(), Layout::chw);
  ASSERT_EQ(v1.parameters.size(), 4u);
  EXPECT_EQ(v1.parameters[0].values.size(), 64u * 8u);

  auto session = ClassifierSession::for_inference(v1.model, 1);
  restore_parameters(v1, session->model(), session->trainer());
  TempDir dir;
  save_checkpoint(dir / "v2.utck", session->model(), session->trainer());
  const std::vector<std::byte> bytes = file_bytes(dir / "v2.utck");
  EXPECT_EQ(bytes[8], std::byte{2});
  const Checkpoint v2 = load_checkpoint(dir / "v2.utck");
  EXPECT_TRUE(same_model(v2.model, v1.model));
  for (size_t i = 0; i < v1.parameters.size(); ++i) EXPECT_EQ(v2.parameters[i].values, v1.parameters[i].values);
}

TEST(CheckpointVersion1, knows_only_input_linear_and_activation_nodes) {
  std::vector<std::byte> bytes = file_bytes(version1_fixture());
  constexpr size_t kNode1 = 28 + 37;  // after the header and the input node's record
  bytes[kNode1] = std::byte{3};       // conv2d, which version 1 cannot describe
  reseal(bytes);
  expect_contains(decode_error(bytes), "model.utck: node 1: kind 3 is not valid");
  bytes[kNode1] = std::byte{1};
  bytes[kNode1 + 21] = std::byte{9};  // the Linear's in_features: 9, not the input's 64
  reseal(bytes);
  expect_contains(decode_error(bytes), "node 1 (linear 8) is inconsistent");
}

}  // namespace
}  // namespace utrain::tools
