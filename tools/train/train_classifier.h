// The training loop of `utrain train`: epochs over the training set in a fresh random order each
// epoch (Fisher–Yates with Rng(seed, kShuffleStream)), one Trainer::train_step per batch, the
// learning rate multiplied by the decay after each epoch (ClassifierSession::set_learning_rate),
// then the test accuracy. Only the time inside train_step counts as step time.
//
// With batch > 1 the last training samples of an epoch that do not fill a batch are skipped in
// that epoch; the next epoch's order puts other samples there.
#pragma once
#include "tools/data/train_test_split.h"
#include "tools/train/classifier_session.h"
#include "tools/train/progress_display.h"
#include "tools/train/train_options.h"
#include "tools/train/train_report.h"

namespace utrain::tools {

// The Rng stream of the sample order: far from the streams 0, 1, ... that Trainer::initialize()
// gives the parameters, so the order and the initial weights are independent draws of one seed.
inline constexpr uint64_t kShuffleStream = 0x5348554646ull;  // "SHUFF"

// Initialises the session's parameters from options.seed and trains; fills every field of the
// report except total_seconds. `options` must be valid, and the session made with
// train_config(options).
TrainReport train_classifier(ClassifierSession& session, const TrainTestSplit& data, const TrainOptions& options,
                             ProgressDisplay& progress);

}  // namespace utrain::tools
