#include "tools/train/cnn.h"

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {

Model build_cnn_classifier(const SampleShape& input, std::span<const int32_t> channels, int32_t classes,
                           Layout layout, bool batch_norm) {
  constexpr Window2d kConv{3, 3, 1, 1, Padding2d::same(1)};
  constexpr Window2d kPool{2, 2, 2, 2, Padding2d{}};
  Model model(input.channels, input.height, input.width, layout);
  for (size_t block = 0; block < channels.size(); ++block) {
    const Shape image = model.node(model.last()).sample;
    if (image.h < 2 || image.w < 2)
      throw ToolError(fmt::format("a CNN of {} blocks pools a {}×{} image below 1×1 (block {} gets {}×{})",
                                  channels.size(), input.height, input.width, block + 1, image.h, image.w));
    model.conv2d(channels[block], kConv, !batch_norm);
    if (batch_norm) model.batch_norm2d();
    model.relu().max_pool2d(kPool);
  }
  model.flatten().linear(classes);
  check_status(model.status(), "building the model");
  return model;
}

}  // namespace utrain::tools
