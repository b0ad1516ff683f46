// Checkpoints: exact round trips, and a clear refusal of every damaged or mismatched file.
#include "tools/checkpoint.h"

#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checkpoint_bytes.h"
#include "temp_dir.h"
#include "tools/byte_stream.h"
#include "tools/checkpoint_nodes.h"
#include "tools/crc32.h"
#include "tools/tool_error.h"
#include "tools/train/classifier_session.h"
#include "tools/train/mlp.h"

namespace utrain::tools {
namespace {

using utrain::testing::decode_error;
using utrain::testing::expect_contains;
using utrain::testing::file_bytes;
using utrain::testing::reseal;
using utrain::testing::TempDir;

constexpr int32_t kInputs = 8;
constexpr int32_t kClasses = 3;

std::unique_ptr<ClassifierSession> session_with(std::vector<int32_t> hidden, uint64_t seed) {
  TrainConfig config;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.momentum = 0.9f;
  auto session = ClassifierSession::for_training(build_mlp_classifier(kInputs, hidden, kClasses), config, 1);
  EXPECT_TRUE(session->trainer().initialize(seed).ok());
  return session;
}

std::vector<std::byte> encode(const ClassifierSession& s) { return encode_checkpoint(s.model(), s.trainer()); }

constexpr size_t kHeaderBytes = 28;  // magic 8, version 4, size 8, node count 4, array count 4
constexpr size_t kCommonNodeBytes = 23;  // kind and 2 flags, 5 int32 (inputs, sample shape)
constexpr size_t kInputNodeBytes = kCommonNodeBytes + 1;        // the layout
constexpr size_t kLinearNodeBytes = kCommonNodeBytes + 14;      // 2 int32, 2 bytes, 1 float
constexpr size_t kActivationNodeBytes = kCommonNodeBytes + 5;  // 1 byte, 1 float
// Where the records of an input 8 → linear → relu → linear 3 model end: the first parameter array.
constexpr size_t kMlpArraysOffset = kHeaderBytes + kInputNodeBytes + 2 * kLinearNodeBytes + kActivationNodeBytes;

TEST(Crc32, standard_check_value) {
  const std::string text = "123456789";
  EXPECT_EQ(crc32(std::as_bytes(std::span(text.data(), text.size()))), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

TEST(Checkpoint, round_trip_restores_every_parameter_bit_for_bit) {
  const auto original = session_with({5, 4}, 7);
  const Checkpoint checkpoint = decode_checkpoint(encode(*original), "memory");
  ASSERT_EQ(checkpoint.model.node_count(), original->model().node_count());
  ASSERT_EQ(checkpoint.parameters.size(), 6u);  // three Linear layers, weight and bias each

  const auto restored = session_with({5, 4}, 99);  // different initial weights
  restore_parameters(checkpoint, restored->model(), restored->trainer());
  for (int p = 0; p < original->trainer().parameter_count(); ++p) {
    const ParameterView a = original->trainer().parameter(p), b = restored->trainer().parameter(p);
    ASSERT_EQ(a.count, b.count);
    EXPECT_EQ(std::memcmp(a.values, b.values, a.count * sizeof(float)), 0) << "parameter " << p;
  }
  const float sample[kInputs] = {0.1f, 0.9f, 0.3f, 0.0f, 1.0f, 0.5f, 0.25f, 0.75f};
  EXPECT_EQ(original->predict(sample), restored->predict(sample));
}

TEST(Checkpoint, file_round_trip_and_layout_size) {
  TempDir dir;
  const auto session = session_with({5}, 3);
  save_checkpoint(dir / "m.utck", session->model(), session->trainer());
  const std::vector<std::byte> bytes = file_bytes(dir / "m.utck");
  // header, 4 nodes, 4 arrays of (16 + 4·count) bytes, CRC
  const size_t values = 8 * 5 + 5 + 5 * 3 + 3;
  EXPECT_EQ(bytes.size(), kMlpArraysOffset + 4 * 16 + 4 * values + 4);
  ByteWriter records;
  for (int i = 0; i < session->model().node_count(); ++i)
    write_node_record(records, kCheckpointVersion, session->model().node(i), Layout::chw);
  EXPECT_EQ(records.size(), kMlpArraysOffset - kHeaderBytes);
  EXPECT_EQ(bytes, encode(*session));
  const Checkpoint checkpoint = load_checkpoint(dir / "m.utck");
  EXPECT_EQ(checkpoint.source, (dir / "m.utck").string());
  EXPECT_EQ(checkpoint.parameters[1].values.size(), 5u);
  EXPECT_EQ(checkpoint.parameters[1].role, ParamRole::bias);
}

TEST(Checkpoint, frozen_layer_and_model_without_bias_round_trip) {
  Model model(kInputs);
  model.linear(6, false).freeze().tanh().linear(kClasses);
  TrainConfig config;
  config.loss = LossKind::softmax_cross_entropy;
  auto session = ClassifierSession::for_training(model, config, 1);
  ASSERT_TRUE(session->trainer().initialize(1).ok());
  const Checkpoint checkpoint = decode_checkpoint(encode(*session), "memory");
  EXPECT_TRUE(checkpoint.model.node(1).frozen);
  EXPECT_FALSE(checkpoint.model.node(1).linear.has_bias);
  EXPECT_EQ(checkpoint.model.node(2).activation.kind, Activation::tanh);
  EXPECT_EQ(checkpoint.parameters.size(), 3u);
}

TEST(Checkpoint, truncated_files_are_refused) {
  const std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  for (const size_t keep : {size_t{0}, size_t{5}, size_t{8}, size_t{12}, size_t{20}, kHeaderBytes, bytes.size() / 2,
                            bytes.size() - 1}) {
    const std::vector<std::byte> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep));
    expect_contains(decode_error(cut), "model.utck: truncated");
  }
}

TEST(Checkpoint, appended_bytes_are_refused) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  bytes.push_back(std::byte{0});
  expect_contains(decode_error(bytes), "unexpected bytes at the end");
}

TEST(Checkpoint, any_flipped_bit_in_the_body_fails_the_checksum) {
  const std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  for (size_t at = 20; at < bytes.size(); at += 13) {
    std::vector<std::byte> bad = bytes;
    bad[at] ^= std::byte{0x10};
    expect_contains(decode_error(bad), "checksum mismatch");
  }
}

TEST(Checkpoint, wrong_magic_and_version_are_named) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  std::vector<std::byte> magic = bytes;
  magic[0] = std::byte{'X'};
  expect_contains(decode_error(magic), "model.utck: not a utrain checkpoint");
  for (const uint8_t unknown : {0, 3, 255}) {
    std::vector<std::byte> version = bytes;
    version[8] = std::byte{unknown};
    expect_contains(decode_error(version), "checkpoint version " + std::to_string(unknown) +
                                               " is not supported (this build reads versions 1 to 2)");
  }
}

TEST(Checkpoint, corrupted_size_field_is_reported_as_a_size_mismatch) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  bytes[12] ^= std::byte{0x01};
  const std::string message = decode_error(bytes);
  expect_contains(message, "its header records");
}

TEST(Checkpoint, invalid_node_kind_with_a_valid_checksum) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  bytes[kHeaderBytes + kInputNodeBytes] = std::byte{13};  // node 1's kind
  reseal(bytes);
  expect_contains(decode_error(bytes), "model.utck: node 1: kind 13 is not valid");
}

TEST(Checkpoint, node_inconsistent_with_the_builder) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  bytes[kHeaderBytes + kInputNodeBytes + kCommonNodeBytes] = std::byte{9};  // node 1's in_features: 9, not 8
  reseal(bytes);
  expect_contains(decode_error(bytes), "model.utck: node 1 (linear 5) is inconsistent");
}

TEST(Checkpoint, parameter_array_of_the_wrong_size) {
  std::vector<std::byte> bytes = encode(*session_with({5}, 1));
  bytes[kMlpArraysOffset + 8] = std::byte{41};  // the weight's count: 41, not 40
  reseal(bytes);
  expect_contains(decode_error(bytes), "parameter array of node 1 (weight, 41 values) where node 1 weight with 40");
}

TEST(Checkpoint, restoring_into_another_model_names_both) {
  const Checkpoint checkpoint = decode_checkpoint(encode(*session_with({5}, 1)), "small.utck");
  const auto other = session_with({6}, 1);
  try {
    restore_parameters(checkpoint, other->model(), other->trainer());
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()),
              "small.utck: model mismatch: the checkpoint holds input 8 → linear 5 → relu → linear 3, the model is "
              "input 8 → linear 6 → relu → linear 3");
  }
}

TEST(Checkpoint, encoding_a_trainer_of_another_model_is_refused) {
  const auto a = session_with({5}, 1);
  const auto b = session_with({6}, 1);
  EXPECT_THROW(encode_checkpoint(b->model(), a->trainer()), ToolError);
}

// Lowers the process's file-size limit so writes past `bytes` fail (EFBIG), as a full disk would.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit lower = previous_;
    lower.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit previous_{};
  void (*previous_handler_)(int) = nullptr;
};

size_t files_in(const TempDir& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir.path()), {}));
}

TEST(Checkpoint, failed_write_leaves_the_previous_file_intact) {
  TempDir dir;
  const auto first = session_with({5}, 1);
  save_checkpoint(dir / "m.utck", first->model(), first->trainer());
  const std::vector<std::byte> before = file_bytes(dir / "m.utck");

  const auto second = session_with({7}, 2);
  try {
    const FileSizeLimit limit(64);
    save_checkpoint(dir / "m.utck", second->model(), second->trainer());
    FAIL() << "the save succeeded despite the file size limit";
  } catch (const ToolError& e) {
    expect_contains(e.what(), "cannot write the temporary file");
    expect_contains(e.what(), "the previous file, if any, is unchanged");
  }
  EXPECT_EQ(file_bytes(dir / "m.utck"), before);
  EXPECT_EQ(files_in(dir), 1u) << "the temporary file was left behind";
  EXPECT_NO_THROW(load_checkpoint(dir / "m.utck"));
}

TEST(Checkpoint, refused_encoding_leaves_the_previous_file_intact) {
  TempDir dir;
  const auto first = session_with({5}, 1);
  save_checkpoint(dir / "m.utck", first->model(), first->trainer());
  const std::vector<std::byte> before = file_bytes(dir / "m.utck");
  const auto other = session_with({6}, 1);
  EXPECT_THROW(save_checkpoint(dir / "m.utck", other->model(), first->trainer()), ToolError);
  EXPECT_EQ(file_bytes(dir / "m.utck"), before);
  EXPECT_EQ(files_in(dir), 1u);
}

TEST(Checkpoint, successful_save_replaces_the_file) {
  TempDir dir;
  const auto first = session_with({5}, 1);
  const auto second = session_with({7}, 2);
  save_checkpoint(dir / "m.utck", first->model(), first->trainer());
  save_checkpoint(dir / "m.utck", second->model(), second->trainer());
  EXPECT_EQ(file_bytes(dir / "m.utck"), encode(*second));
  EXPECT_EQ(files_in(dir), 1u);
}

TEST(Checkpoint, save_into_a_missing_directory_names_the_target) {
  TempDir dir;
  const auto session = session_with({5}, 1);
  const auto target = dir / "no" / "such" / "m.utck";
  try {
    save_checkpoint(target, session->model(), session->trainer());
    FAIL() << "no error";
  } catch (const ToolError& e) {
    expect_contains(e.what(), target.string() + ": cannot create a temporary file beside it");
  }
}

TEST(Checkpoint, loading_a_missing_file_names_it) {
  TempDir dir;
  try {
    load_checkpoint(dir / "missing.utck");
    FAIL() << "no error";
  } catch (const ToolError& e) {
    expect_contains(e.what(), "missing.utck: cannot open");
  }
}

}  // namespace
}  // namespace utrain::tools
