#include "tools/data/fashion_mnist.h"

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

// <folder>/<name>, or <folder>/<name>.gz when only that exists.
std::filesystem::path find_idx_file(const std::filesystem::path& folder, const std::string& name) {
  const std::filesystem::path plain = folder / name;
  std::filesystem::path compressed = plain;
  compressed += ".gz";
  std::error_code ec;
  if (std::filesystem::exists(plain, ec)) return plain;
  if (std::filesystem::exists(compressed, ec)) return compressed;
  if (!std::filesystem::is_directory(folder, ec))
    throw ToolError(fmt::format("{}: no such folder; Fashion-MNIST is in the Debian package {} "
                                "(scripts/install_deps.sh data)",
                                folder.string(), kFashionMnistPackage));
  throw ToolError(fmt::format("{}: holds neither {} nor {}.gz", folder.string(), name, name));
}

}  // namespace

std::filesystem::path default_fashion_mnist_folder() { return "/usr/share/datasets/fashion-mnist"; }

Dataset read_fashion_mnist(const std::filesystem::path& folder, FashionMnistPart part, std::size_t max_samples) {
  const std::string prefix = part == FashionMnistPart::train ? "train" : "t10k";
  const std::filesystem::path images = find_idx_file(folder, prefix + "-images-idx3-ubyte");
  const std::filesystem::path labels = find_idx_file(folder, prefix + "-labels-idx1-ubyte");
  Dataset data = read_idx_dataset(images, labels, kFashionMnistClasses, max_samples);
  if (data.shape.height != kFashionMnistSide || data.shape.width != kFashionMnistSide)
    throw ToolError(fmt::format("{}: images of {}×{} pixels, Fashion-MNIST's are {}×{}", images.string(),
                                data.shape.height, data.shape.width, kFashionMnistSide, kFashionMnistSide));
  return data;
}

}  // namespace utrain::tools
