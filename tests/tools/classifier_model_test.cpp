// The models `utrain train` builds (MLP, CNN) and the reordering of samples into a CNN's layout.
#include "tools/train/classifier_model.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tools/data/sample_layout.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"
#include "tools/train/cnn.h"

namespace utrain::tools {
namespace {

Dataset images(int32_t channels, int32_t height, int32_t width, size_t count) {
  Dataset data;
  data.shape = SampleShape{channels, height, width};
  data.features = channels * height * width;
  data.classes = 10;
  for (size_t i = 0; i < count * static_cast<size_t>(data.features); ++i) data.inputs.push_back(static_cast<float>(i));
  data.labels.assign(count, 0);
  return data;
}

TEST(ClassifierModel, cnn_blocks_halve_the_image_and_end_in_a_linear_layer) {
  TrainOptions o;
  o.model = "cnn";
  o.channels = {4, 6};
  o.layout = "hwc";
  const Model model = build_classifier(o, images(1, 28, 28, 1));
  EXPECT_EQ(describe_model(model),
            "input 1×28×28 → conv 4 3×3 → relu → max_pool 2×2/2 → conv 6 3×3 → relu → max_pool 2×2/2 → flatten → "
            "linear 10");
  EXPECT_EQ(model.layout(), Layout::hwc);
  EXPECT_EQ(model.node(model.node_count() - 1).linear.in_features, 6 * 7 * 7);
  EXPECT_EQ(model.node(1).conv.layout, Layout::hwc);
}

TEST(ClassifierModel, cnn_with_batch_norm_drops_the_convolution_bias) {
  const std::vector<int32_t> channels = {3};
  const Model model = build_cnn_classifier(SampleShape{2, 5, 6}, channels, 4, Layout::chw, true);
  EXPECT_EQ(describe_model(model),
            "input 2×5×6 → conv 3 3×3 (no bias) → batch_norm → relu → max_pool 2×2/2 → flatten → linear 4");
  EXPECT_EQ(model.node(model.node_count() - 1).linear.in_features, 3 * 2 * 3);  // pooling floors odd sizes
}

TEST(ClassifierModel, cnn_too_deep_for_the_image_is_refused) {
  const std::vector<int32_t> channels = {2, 2, 2};
  try {
    build_cnn_classifier(SampleShape{1, 4, 9}, channels, 10, Layout::chw, false);
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()), "a CNN of 3 blocks pools a 4×9 image below 1×1 (block 3 gets 1×2)");
  }
}

TEST(ClassifierModel, mlp_uses_the_default_hidden_sizes_of_the_data_set) {
  const TrainOptions o;
  EXPECT_EQ(describe_model(build_classifier(o, images(1, 8, 8, 1))), "input 64 → linear 64 → relu → linear 10");
}

TEST(SampleLayout, hwc_puts_each_pixels_channels_side_by_side) {
  const Dataset chw = images(2, 2, 3, 2);  // values 0..11 per sample, then 12..23
  const Dataset hwc = in_layout(chw, Layout::hwc);
  EXPECT_EQ(hwc.layout, Layout::hwc);
  const std::vector<float> want = {0,  6,  1,  7,  2,  8,  3,  9,  4,  10, 5,  11,
                                   12, 18, 13, 19, 14, 20, 15, 21, 16, 22, 17, 23};
  EXPECT_EQ(hwc.inputs, want);
  EXPECT_EQ(in_layout(hwc, Layout::chw).inputs, chw.inputs);  // and back
  EXPECT_EQ(in_layout(chw, Layout::chw).inputs, chw.inputs);
}

TEST(SampleLayout, single_channel_images_read_the_same_in_both_layouts) {
  const Dataset chw = images(1, 3, 4, 3);
  EXPECT_EQ(in_layout(chw, Layout::hwc).inputs, chw.inputs);
}

}  // namespace
}  // namespace utrain::tools
