#include "tools/utrain/train_command.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "tools/checkpoint.h"
#include "tools/data/dataset_choice.h"
#include "tools/data/sample_layout.h"
#include "tools/train/classifier_model.h"
#include "tools/train/classifier_session.h"
#include "tools/train/train_classifier.h"
#include "tools/utrain/data_options.h"

namespace utrain::tools {

CLI::App* add_train_command(CLI::App& parent, TrainOptions& o) {
  CLI::App* cmd = parent.add_subcommand(
      "train", "Train an MLP or a CNN classifier on the 8x8 digits or on Fashion-MNIST");
  cmd->add_option("--model", o.model, "mlp (dense layers) or cnn (convolutions, pooling)")->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Passes over the training set (default: per data set and model, below)");
  cmd->add_option("--lr", o.lr,
                  fmt::format("Learning rate (default for sgd: below; {:g} for adam and adamw)", kDefaultAdamLr));
  cmd->add_option("--lr-decay", o.lr_decay,
                  "Factor of the learning rate after each epoch; the optimizer state restarts then (default: below)");
  cmd->add_option("--momentum", o.momentum, fmt::format("SGD momentum (default {:g})", kDefaultSgdMomentum));
  cmd->add_option("--optimizer", o.optimizer, "sgd, adam or adamw")->capture_default_str();
  cmd->add_option("--weight-decay", o.weight_decay, "L2 penalty (sgd, adam) or decoupled decay (adamw)")
      ->capture_default_str();
  cmd->add_option("--batch", o.batch, "Samples per training step (1: streaming)")->capture_default_str();
  cmd->add_option("--hidden", o.hidden, "mlp: hidden layer sizes, e.g. --hidden 128,64")->delimiter(',');
  cmd->add_option("--channels", o.channels,
                  "cnn: channels of each block (conv 3x3 pad 1, ReLU, max pool 2x2), e.g. --channels 8,16")
      ->delimiter(',');
  cmd->add_option("--layout", o.layout, "cnn: image layout chw or hwc (default chw)");
  cmd->add_flag("--batch-norm", o.batch_norm, "cnn: BatchNorm after each convolution");
  cmd->add_option("--seed", o.seed, "Seed of the initial weights and of the sample order")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads per layer step (1: no thread pool)")->capture_default_str();
  add_data_options(*cmd, o.data, DataUse::train_and_test);
  cmd->add_option("--save", o.save, "Write a checkpoint of the trained model to this file");
  cmd->add_flag("--quiet", o.quiet, "No progress display");
  cmd->add_flag("--json", o.json, "Print the final report as JSON (progress then goes to stderr)");
  cmd->footer(describe_train_defaults());
  return cmd;
}

int run_train_command(const TrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  validate_train_options(options);
  TrainTestSplit data = load_train_test(options.data);
  const Model model = build_classifier(options, data.train);
  data.train = in_layout(std::move(data.train), model.layout());
  data.test = in_layout(std::move(data.test), model.layout());
  const auto session = ClassifierSession::for_training(model, train_config(options), options.threads);

  std::FILE* progress_out = options.json ? stderr : stdout;
  ProgressDisplay progress(progress_out, ProgressDisplay::mode_for(progress_out, options.quiet));
  TrainReport report = train_classifier(*session, data, options, progress);
  if (!options.save.empty()) {
    save_checkpoint(options.save, session->model(), session->trainer());
    report.checkpoint = options.save.string();
  }
  report.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (options.json)
    fmt::print("{}\n", train_report_json(report).dump(2));
  else
    fmt::print("{}", format_train_report(report));
  return 0;
}

}  // namespace utrain::tools
