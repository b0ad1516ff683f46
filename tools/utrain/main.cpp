// The `utrain` command. Every failure — a bad option, unreadable data, a broken checkpoint —
// ends as one "utrain: error: ..." line on stderr and a non-zero exit status, never a crash.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "tools/tool_error.h"
#include "tools/utrain/eval_command.h"
#include "tools/utrain/train_command.h"

namespace {

constexpr int kUsageError = 2;  // the command line itself was wrong
constexpr int kRunError = 1;    // the command was valid but could not be carried out

}  // namespace

int main(int argc, char** argv) {
  using namespace utrain::tools;
  CLI::App app("utrain: train small neural networks with every buffer planned ahead", "utrain");
  app.require_subcommand(1);
  TrainOptions train_options;
  EvalOptions eval_options;
  CLI::App* train = add_train_command(app, train_options);
  CLI::App* eval = add_eval_command(app, eval_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "utrain: error: {} (see utrain --help)\n", e.what());
    return kUsageError;
  }

  try {
    if (*train) return run_train_command(train_options);
    if (*eval) return run_eval_command(eval_options);
  } catch (const ToolError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "utrain: error: {}\n", e.what());
    return kRunError;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "utrain: internal error: {}\n", e.what());
    return kRunError;
  }
  return kUsageError;
}
