#include "tools/utrain/eval_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/checkpoint.h"
#include "tools/data/train_test_split.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"
#include "tools/train/classifier_session.h"

namespace utrain::tools {

CLI::App* add_eval_command(CLI::App& parent, EvalOptions& o) {
  CLI::App* cmd = parent.add_subcommand("eval", "Test accuracy of a checkpoint on the digits' test split");
  cmd->add_option("--load", o.load, "Checkpoint written by `utrain train --save`")->required();
  cmd->add_option("--data", o.data, "Digits CSV file: 64 pixels 0..16 and a label per line")->capture_default_str();
  cmd->add_flag("--json", o.json, "Print the result as JSON");
  return cmd;
}

int run_eval_command(const EvalOptions& options) {
  const Checkpoint checkpoint = load_checkpoint(options.load);
  const TrainTestSplit data = split_train_test(read_digits_csv(options.data));
  const Model& model = checkpoint.model;
  if (model.input_features() != data.test.features || model.output_features() != data.test.classes)
    throw ToolError(fmt::format("{}: its model ({}) maps {} inputs to {} classes, the data has {} features and {} classes",
                                checkpoint.source, describe_model(model), model.input_features(),
                                model.output_features(), data.test.features, data.test.classes));
  const auto session = ClassifierSession::for_inference(model, 1);
  restore_parameters(checkpoint, session->model(), session->trainer());
  const size_t correct = session->count_correct(data.test);
  const double accuracy = static_cast<double>(correct) / static_cast<double>(data.test.size());

  if (options.json) {
    const nlohmann::json result{{"checkpoint", checkpoint.source},  {"model", describe_model(model)},
                                {"test_correct", correct},          {"test_samples", data.test.size()},
                                {"test_accuracy", accuracy}};
    fmt::print("{}\n", result.dump(2));
  } else {
    fmt::print("model          {}\n", describe_model(model));
    fmt::print("test accuracy  {:.2f}% ({}/{} samples)\n", 100.0 * accuracy, correct, data.test.size());
  }
  return 0;
}

}  // namespace utrain::tools
