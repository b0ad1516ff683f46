// Fashion-MNIST (Zalando Research): 28×28 grey images of clothing in 10 classes, 60 000 for
// training and 10 000 for testing, in the IDX files of the original MNIST layout. Debian's
// package dataset-fashion-mnist installs them gzip-compressed in /usr/share/datasets/fashion-mnist
// (scripts/install_deps.sh data). A folder may hold each file plain or compressed (name.gz);
// the plain one is read when both are there.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string_view>

#include "tools/data/dataset.h"
#include "tools/data/idx_reader.h"

namespace utrain::tools {

inline constexpr int32_t kFashionMnistSide = 28;
inline constexpr int32_t kFashionMnistClasses = 10;
inline constexpr std::string_view kFashionMnistPackage = "dataset-fashion-mnist";

// Where the Debian package puts the files.
std::filesystem::path default_fashion_mnist_folder();

// The training part (train-*) or the test part (t10k-*).
enum class FashionMnistPart { train, test };

// The first max_samples images of one part (all by default), as 1 × 28 × 28 images with
// pixels in [0, 1]. Throws ToolError when a file is missing (naming the package to install),
// malformed (see read_idx_dataset) or not of 28×28 images.
Dataset read_fashion_mnist(const std::filesystem::path& folder, FashionMnistPart part,
                           std::size_t max_samples = kAllItems);

}  // namespace utrain::tools
