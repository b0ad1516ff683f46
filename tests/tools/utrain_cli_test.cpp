// End-to-end runs of the `utrain` binary: every bad request ends in one "utrain: error:" line and
// a non-zero exit; short runs print their results; a saved checkpoint evaluates to the accuracy
// the training run reported.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/checkpoint.h"
#include "tools/data/fashion_mnist.h"
#include "tools/train/classifier_session.h"
#include "idx_files.h"
#include "temp_dir.h"

namespace utrain::tools {
namespace {

using utrain::testing::byte_ramp;
using utrain::testing::idx_header;
using utrain::testing::TempDir;

struct CommandRun {
  int status = -1;
  std::string out;  // what the command printed on the stream that was captured
};

// Runs `utrain <args>` through the shell. `capture` is a redirection that picks the stream:
// "2>/dev/null" keeps stdout, "2>&1 >/dev/null" keeps stderr.
CommandRun utrain(const std::string& args, const std::string& capture) {
  const std::string command = std::string("'") + UTRAIN_CLI + "' " + args + " " + capture;
  CommandRun run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int wait_status = ::pclose(pipe);
  run.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  return run;
}

CommandRun utrain_stderr(const std::string& args) { return utrain(args, "2>&1 >/dev/null"); }
CommandRun utrain_stdout(const std::string& args) { return utrain(args, "2>/dev/null"); }

// A failed run: non-zero status (not a crash) and exactly one error line naming `part`.
void expect_error(const std::string& args, const std::string& part) {
  const CommandRun run = utrain_stderr(args);
  EXPECT_TRUE(run.status == 1 || run.status == 2) << "utrain " << args << " exited with " << run.status;
  EXPECT_EQ(run.out.rfind("utrain: error: ", 0), 0u) << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  EXPECT_NE(run.out.find(part), std::string::npos) << "utrain " << args << ": \"" << run.out << "\" lacks \"" << part << "\"";
}

TEST(UtrainCli, bad_arguments_exit_non_zero_with_one_error_line) {
  expect_error("", "A subcommand is required");
  expect_error("train --no-such-option", "--no-such-option");
  expect_error("train --epochs -3", "--epochs must be at least 1 (got -3)");
  expect_error("train --epochs 0", "--epochs must be at least 1 (got 0)");
  expect_error("train --lr 0", "--lr must be a positive number (got 0)");
  expect_error("train --lr=-0.5", "--lr must be a positive number (got -0.5)");
  expect_error("train --lr fast", "--lr");
  expect_error("train --lr-decay 0", "--lr-decay must be in (0, 1] (got 0)");
  expect_error("train --lr-decay 2", "--lr-decay must be in (0, 1] (got 2)");
  expect_error("train --hidden 0", "--hidden: layer 1 has 0 units");
  expect_error("train --hidden 32,0", "--hidden: layer 2 has 0 units");
  expect_error("train --optimizer rmsprop", "--optimizer must be sgd, adam or adamw (got 'rmsprop')");
  expect_error("train --threads 0", "--threads must be 1 to 64 (got 0)");
  expect_error("train --batch 0", "--batch must be at least 1 (got 0)");
  expect_error("eval", "--load is required");
  expect_error("train --dataset mnist", "--dataset must be digits or fashion-mnist (got 'mnist')");
  expect_error("train --train-limit 0", "--train-limit must be at least 1 (got 0)");
  expect_error("train --test-limit=-5", "--test-limit must be at least 1 (got -5)");
  expect_error("train --train-limit many", "--train-limit");
  expect_error("eval --load m.utck --train-limit 5", "--train-limit");  // eval reads only test samples
  expect_error("eval --load m.utck --dataset svhn", "--dataset must be digits or fashion-mnist (got 'svhn')");
}

TEST(UtrainCli, bad_model_options_exit_non_zero_with_one_error_line) {
  expect_error("train --model resnet", "--model must be mlp or cnn (got 'resnet')");
  expect_error("train --model cnn --layout nhwc", "--layout must be chw or hwc (got 'nhwc')");
  expect_error("train --model cnn --layout", "--layout");
  expect_error("train --layout hwc", "--layout applies to --model cnn only (the model is mlp)");
  expect_error("train --channels 8", "--channels applies to --model cnn only (the model is mlp)");
  expect_error("train --batch-norm", "--batch-norm applies to --model cnn only (the model is mlp)");
  expect_error("train --model cnn --hidden 32", "--hidden applies to --model mlp only (the model is cnn)");
  expect_error("train --model cnn --channels 8,0", "--channels: block 2 has 0 channels; every block needs at least 1");
  expect_error("train --model cnn --channels 2,2,2,2",
               "a CNN of 4 blocks pools a 8×8 image below 1×1 (block 4 gets 1×1)");
}

TEST(UtrainCli, unreadable_and_malformed_data_are_named) {
  TempDir dir;
  expect_error("train --data '" + (dir / "missing.csv").string() + "'", "missing.csv: cannot open");
  expect_error("train --data '" + dir.path().string() + "'", "is a directory");
  std::string line = "17";  // pixel 1 out of range, then 63 pixels and a label of 0
  for (int field = 2; field <= 65; ++field) line += ",0";
  const auto bad = dir.write("bad.csv", line + "\n");
  expect_error("train --data '" + bad.string() + "'", "bad.csv:1: field 1 (pixel): 17 is outside 0..16");
  const auto empty = dir.write("empty.csv", "");
  expect_error("train --data '" + empty.string() + "'", "empty.csv: empty file, no samples");
  expect_error("eval --load '" + (dir / "missing.utck").string() + "'", "missing.utck: cannot open");
}

TEST(UtrainCli, missing_and_malformed_fashion_mnist_files_are_named) {
  TempDir dir;
  expect_error("train --dataset fashion-mnist --data '" + (dir / "nowhere").string() + "'",
               "nowhere: no such folder; Fashion-MNIST is in the Debian package dataset-fashion-mnist");
  expect_error("train --dataset fashion-mnist --data '" + dir.path().string() + "'",
               ": holds neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz");
  dir.write("train-images-idx3-ubyte", idx_header(0x08, {2, 28, 28}) + byte_ramp(784));  // one image short
  dir.write("train-labels-idx1-ubyte", idx_header(0x08, {2}) + std::string{3, 4});
  expect_error("train --dataset fashion-mnist --data '" + dir.path().string() + "'",
               "train-images-idx3-ubyte: data: the file ends 784 bytes into the data, the header (2×28×28) promises "
               "1568 bytes");
}

TEST(UtrainCli, short_run_prints_test_accuracy_and_memory) {
  const CommandRun run = utrain_stdout("train --epochs 1 --quiet");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("test accuracy  "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("/359 samples)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("peak memory    "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("µs mean over 1438 steps"), std::string::npos) << run.out;
  for (const char* line : {"\n  parameters  ", "\n  gradients  ", "\n  optimizer state  ", "\n  running statistics  ",
                           "\n  activations  ", "\n  activation gradients  ", "\n  saved statistics  ",
                           "\n  workspace  "})
    EXPECT_NE(run.out.find(line), std::string::npos) << run.out << " lacks " << line;
}

TEST(UtrainCli, digits_cnn_learns_in_a_few_epochs) {
  const CommandRun run = utrain_stdout("train --model cnn --epochs 2 --json");
  ASSERT_EQ(run.status, 0) << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["model"],
            "input 1×8×8 → conv 16 3×3 → relu → max_pool 2×2/2 → conv 32 3×3 → relu → max_pool 2×2/2 → flatten → "
            "linear 10");
  EXPECT_EQ(report["parameters"], (16 * 9 + 16) + (32 * 16 * 9 + 32) + (128 * 10 + 10));
  EXPECT_EQ(report["steps"], 2 * 1438);
  EXPECT_EQ(report["optimizer"]["lr"], 0.002f);  // the digits CNN's defaults
  EXPECT_EQ(report["optimizer"]["lr_decay"], 1.0f);
  EXPECT_GT(report["test_accuracy"].get<double>(), 0.85);  // chance is 0.1; 2 epochs reach about 0.95
  // Forward 9216 + 73728 + 1280 MAC; the same for the weight gradients; input gradients of the
  // second convolution and the Linear only (the first convolution's input is the data).
  EXPECT_EQ(report["macs_per_step"], 3 * (9216 + 73728 + 1280) - 9216);
  const nlohmann::json& memory = report["memory_bytes"];
  EXPECT_EQ(memory["parameters"], 4 * report["parameters"].get<int>());
  EXPECT_GT(memory["workspace"].get<int>(), 0);  // the lowered convolutions' im2col buffers
  EXPECT_EQ(memory["running_state"], 0);
}

TEST(UtrainCli, cnn_with_batch_norm_in_hwc_saves_and_evaluates_to_the_same_accuracy) {
  TempDir dir;
  const std::string checkpoint = (dir / "cnn.utck").string();
  const CommandRun train = utrain_stdout("train --model cnn --channels 4,8 --batch-norm --layout hwc --epochs 1 "
                                         "--quiet --json --save '" + checkpoint + "'");
  ASSERT_EQ(train.status, 0) << train.out;
  const nlohmann::json trained = nlohmann::json::parse(train.out);
  EXPECT_EQ(trained["memory_bytes"]["running_state"], 2 * (4 + 8) * 4);  // mean and variance per channel
  EXPECT_GT(trained["memory_bytes"]["saved"].get<int>(), 0);
  EXPECT_GT(trained["test_accuracy"].get<double>(), 0.5);
  const CommandRun eval = utrain_stdout("eval --json --load '" + checkpoint + "'");
  ASSERT_EQ(eval.status, 0) << eval.out;
  const nlohmann::json evaluated = nlohmann::json::parse(eval.out);
  EXPECT_EQ(evaluated["model"], trained["model"]);
  EXPECT_EQ(evaluated["test_correct"], trained["test_correct"]);  // with the running statistics it was saved with
  expect_error("eval --dataset fashion-mnist --load '" + checkpoint + "'", "maps 64 inputs to 10 classes");
}

TEST(UtrainCli, eval_reads_version_1_checkpoints) {
  const std::string v1 = (std::filesystem::path(__FILE__).parent_path() / "fixtures" / "digits_mlp_v1.utck").string();
  const CommandRun eval = utrain_stdout("eval --json --load '" + v1 + "'");
  ASSERT_EQ(eval.status, 0) << eval.out;
  const nlohmann::json evaluated = nlohmann::json::parse(eval.out);
  EXPECT_EQ(evaluated["model"], "input 64 → linear 8 → relu → linear 10");
  EXPECT_EQ(evaluated["test_correct"], 321);  // what the version-1 run that wrote it reported
}

TEST(UtrainCli, eval_refuses_an_image_model_of_another_image_size) {
  // 4 × 4 × 4 images have the digits' 64 values, but not their shape.
  Model model(4, 4, 4);
  model.flatten().linear(10);
  const auto session = ClassifierSession::for_inference(model, 1);
  TempDir dir;
  save_checkpoint(dir / "m.utck", session->model(), session->trainer());
  expect_error("eval --load '" + (dir / "m.utck").string() + "'", "reads 4×4×4 images, the data's are 1×8×8");
}

TEST(UtrainCli, digits_limits_shrink_both_sets) {
  const CommandRun run = utrain_stdout("train --epochs 1 --train-limit 100 --test-limit 30 --quiet --json");
  ASSERT_EQ(run.status, 0) << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["train_samples"], 100);
  EXPECT_EQ(report["test_samples"], 30);
  EXPECT_EQ(report["steps"], 100);
}

TEST(UtrainCli, progress_is_one_line_per_epoch_when_not_a_terminal) {
  const CommandRun run = utrain_stdout("train --epochs 2 --hidden 16");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run.out.rfind("epoch 1/2 [####################] 1438/1438  loss ", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("\nepoch 2/2 [####################] 1438/1438  loss "), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find('\r'), std::string::npos);
}

TEST(UtrainCli, json_report_has_the_numbers) {
  const CommandRun run = utrain_stdout("train --epochs 1 --batch 4 --optimizer adam --hidden 32,16 --json");
  ASSERT_EQ(run.status, 0) << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);  // stdout is only the JSON
  EXPECT_EQ(report["model"], "input 64 → linear 32 → relu → linear 16 → relu → linear 10");
  EXPECT_EQ(report["steps"], 1438 / 4);
  EXPECT_EQ(report["batch"], 4);
  EXPECT_EQ(report["optimizer"]["kind"], "adam");
  EXPECT_GT(report["test_accuracy"].get<double>(), 0.5);  // one epoch of Adam already learns
  EXPECT_GT(report["step_microseconds"].get<double>(), 0.0);
  const nlohmann::json& memory = report["memory_bytes"];
  EXPECT_EQ(memory["parameters"], (64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10) * 4);
  EXPECT_EQ(memory["optimizer_state"], 2 * memory["parameters"].get<int>());  // Adam's two moments
  // Parameters and optimizer state persist across steps; gradients may share memory with
  // activations that are dead by the time backward writes them.
  EXPECT_GE(memory["total"].get<int>(), memory["parameters"].get<int>() * 3);
}

TEST(UtrainCli, save_then_eval_gives_the_same_accuracy) {
  TempDir dir;
  const std::string checkpoint = (dir / "digits.utck").string();
  const CommandRun train = utrain_stdout("train --epochs 1 --hidden 24 --seed 5 --quiet --json --save '" + checkpoint + "'");
  ASSERT_EQ(train.status, 0) << train.out;
  const CommandRun eval = utrain_stdout("eval --json --load '" + checkpoint + "'");
  ASSERT_EQ(eval.status, 0) << eval.out;
  const nlohmann::json trained = nlohmann::json::parse(train.out), evaluated = nlohmann::json::parse(eval.out);
  EXPECT_EQ(trained["checkpoint"], checkpoint);
  EXPECT_EQ(evaluated["model"], trained["model"]);
  EXPECT_EQ(evaluated["test_correct"], trained["test_correct"]);
  EXPECT_EQ(evaluated["test_samples"], 359);
}

TEST(UtrainCli, eval_of_a_damaged_checkpoint_is_an_error) {
  TempDir dir;
  const std::string checkpoint = (dir / "m.utck").string();
  ASSERT_EQ(utrain_stdout("train --epochs 1 --hidden 8 --quiet --save '" + checkpoint + "'").status, 0);
  {
    std::FILE* f = std::fopen(checkpoint.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 200, SEEK_SET);
    std::fputc(0x5a, f);
    std::fclose(f);
  }
  expect_error("eval --load '" + checkpoint + "'", "checksum mismatch");
}

// A slice of the real Fashion-MNIST (the Debian package): 600 training and 200 test images.
class UtrainFashionMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code ec;
    if (!std::filesystem::is_directory(default_fashion_mnist_folder(), ec))
      GTEST_SKIP() << default_fashion_mnist_folder() << " is missing: install " << kFashionMnistPackage
                   << " (scripts/install_deps.sh data)";
  }
  static constexpr const char* kSlice = "--dataset fashion-mnist --train-limit 600 --test-limit 200";
};

TEST_F(UtrainFashionMnist, short_run_on_a_slice_learns_and_reports_as_for_digits) {
  // Adam: the SGD defaults are tuned for the 64 pixels of the digits and learn slowly on 784.
  const CommandRun run =
      utrain_stdout(std::string("train ") + kSlice + " --epochs 2 --hidden 32 --optimizer adam --json");
  ASSERT_EQ(run.status, 0) << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["model"], "input 784 → linear 32 → relu → linear 10");
  EXPECT_EQ(report["parameters"], 784 * 32 + 32 + 32 * 10 + 10);
  EXPECT_EQ(report["train_samples"], 600);
  EXPECT_EQ(report["test_samples"], 200);
  EXPECT_EQ(report["steps"], 2 * 600);
  EXPECT_GT(report["test_accuracy"].get<double>(), 0.5);  // chance is 0.1
}

TEST_F(UtrainFashionMnist, cnn_on_a_slice_learns_with_the_fashion_mnist_defaults) {
  const CommandRun run = utrain_stdout(std::string("train ") + kSlice + " --model cnn --epochs 2 --json");
  ASSERT_EQ(run.status, 0) << run.out;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["model"],
            "input 1×28×28 → conv 16 3×3 → relu → max_pool 2×2/2 → conv 32 3×3 → relu → max_pool 2×2/2 → flatten → "
            "linear 10");
  EXPECT_EQ(report["steps"], 2 * 600);
  EXPECT_EQ(report["optimizer"]["lr_decay"], 0.35f);  // shrunk after the first epoch
  EXPECT_GT(report["test_accuracy"].get<double>(), 0.5);  // chance is 0.1
}

TEST_F(UtrainFashionMnist, save_then_eval_on_the_same_slice_gives_the_same_accuracy) {
  TempDir dir;
  const std::string checkpoint = (dir / "fashion.utck").string();
  const CommandRun train =
      utrain_stdout(std::string("train ") + kSlice + " --epochs 1 --hidden 16 --quiet --json --save '" + checkpoint +
                    "'");
  ASSERT_EQ(train.status, 0) << train.out;
  const CommandRun eval =
      utrain_stdout("eval --dataset fashion-mnist --test-limit 200 --json --load '" + checkpoint + "'");
  ASSERT_EQ(eval.status, 0) << eval.out;
  EXPECT_EQ(nlohmann::json::parse(eval.out)["test_correct"], nlohmann::json::parse(train.out)["test_correct"]);
  // The same checkpoint does not fit the digits.
  expect_error("eval --load '" + checkpoint + "'", "maps 784 inputs to 10 classes, the data has 64 features");
}

}  // namespace
}  // namespace utrain::tools
