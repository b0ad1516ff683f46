#include "tools/utrain/eval_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/checkpoint.h"
#include "tools/data/dataset_choice.h"
#include "tools/data/sample_layout.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"
#include "tools/train/classifier_session.h"
#include "tools/utrain/data_options.h"

namespace utrain::tools {

CLI::App* add_eval_command(CLI::App& parent, EvalOptions& o) {
  CLI::App* cmd =
      parent.add_subcommand("eval", "Test accuracy of a checkpoint on the test samples `utrain train` reports on");
  cmd->add_option("--load", o.load, "Checkpoint written by `utrain train --save`")->required();
  // The same data options as the training run give the same test samples.
  add_data_options(*cmd, o.data, DataUse::test_only);
  cmd->add_flag("--json", o.json, "Print the result as JSON");
  return cmd;
}

int run_eval_command(const EvalOptions& options) {
  validate_data_options(options.data);
  const Checkpoint checkpoint = load_checkpoint(options.load);
  const Model& model = checkpoint.model;
  const Dataset test = in_layout(load_test_set(options.data), model.layout());
  if (model.input_features() != test.features || model.output_features() != test.classes)
    throw ToolError(fmt::format("{}: its model ({}) maps {} inputs to {} classes, the data has {} features and {} classes",
                                checkpoint.source, describe_model(model), model.input_features(),
                                model.output_features(), test.features, test.classes));
  // An image model must also see images of its size (a feature-vector model reads any image
  // of its feature count in memory order, as it was trained).
  const Shape input = model.node(0).sample;
  const bool image_model = input.h != 1 || input.w != 1;
  if (image_model && (input.c != test.shape.channels || input.h != test.shape.height || input.w != test.shape.width))
    throw ToolError(fmt::format("{}: its model ({}) reads {}×{}×{} images, the data's are {}×{}×{}", checkpoint.source,
                                describe_model(model), input.c, input.h, input.w, test.shape.channels,
                                test.shape.height, test.shape.width));
  const auto session = ClassifierSession::for_inference(model, 1);
  restore_parameters(checkpoint, session->model(), session->trainer());
  const size_t correct = session->count_correct(test);
  const double accuracy = static_cast<double>(correct) / static_cast<double>(test.size());

  if (options.json) {
    const nlohmann::json result{{"checkpoint", checkpoint.source},  {"model", describe_model(model)},
                                {"test_correct", correct},          {"test_samples", test.size()},
                                {"test_accuracy", accuracy}};
    fmt::print("{}\n", result.dump(2));
  } else {
    fmt::print("model          {}\n", describe_model(model));
    fmt::print("test accuracy  {:.2f}% ({}/{} samples)\n", 100.0 * accuracy, correct, test.size());
  }
  return 0;
}

}  // namespace utrain::tools
