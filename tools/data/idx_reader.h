// Reader of the IDX format of the MNIST files (Fashion-MNIST uses it too):
//
//   magic number   4 bytes: 0, 0, data type, dimension count
//   dimensions     one big-endian uint32 size per dimension; dimension 0 counts the items
//   data           the values, row-major (the last dimension varies fastest)
//
// Only the data type 0x08 (unsigned byte) is read: image and label files hold nothing else.
// Files may be plain or gzip-compressed (GzInput), either way under any name.
//
// Every malformed input is a ToolError whose message names the file and the field: bad magic
// number, unsupported or unknown data type, wrong dimension count, a dimension of size 0, a
// header or data cut short, bytes after the data, images and labels that disagree in number, a
// label out of range. Sizes come from an untrusted header, so memory grows only as data actually
// arrives: a garbage header can cause an error, never a huge allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/data/dataset.h"
#include "tools/data/gz_input.h"

namespace utrain::tools {

inline constexpr uint8_t kIdxUnsignedByte = 0x08;
inline constexpr std::size_t kAllItems = SIZE_MAX;

// One IDX file, read front to back: the constructor reads and checks the header, read_items()
// then hands out items in order.
class IdxFile {
 public:
  // Opens `path` and checks its header: zero bytes, data type 0x08, as many dimensions as
  // `dimension_names` has names (used in messages, e.g. {"images", "rows", "columns"}), none of
  // them 0, and a total size that fits in memory.
  IdxFile(const std::filesystem::path& path, std::span<const std::string_view> dimension_names);

  const std::string& name() const { return input_.name(); }
  const std::vector<uint32_t>& dimensions() const { return dimensions_; }
  std::size_t items() const { return dimensions_[0]; }
  // Values per item: the product of dimensions 1, 2, ... (1 for a one-dimensional file).
  std::size_t item_size() const { return item_size_; }

  // The values of the next `count` items (at most the items not read yet), `count` ×
  // item_size() of them. Throws when the file ends first.
  std::vector<uint8_t> read_items(std::size_t count);

  // Throws unless all items have been read and nothing follows them. Reading to the end also
  // makes zlib check a gzip file's CRC.
  void expect_end();

 private:
  std::string dimensions_text() const;  // "60000×28×28"

  GzInput input_;
  std::vector<uint32_t> dimensions_;
  std::size_t item_size_ = 1;
  std::size_t items_read_ = 0;
};

// Loads an images file (3 dimensions: images, rows, columns) and its labels file (1 dimension:
// labels, each below `classes`) into a Dataset of images of 1 channel × rows × columns, pixels
// scaled from 0..255 to [0, 1].
//
// With max_samples below the number of images, only the first max_samples images and labels are
// read and checked (a slice reads only the bytes it needs); the header's counts are still
// compared. Reading everything also checks that nothing follows the data.
Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels, int32_t classes,
                         std::size_t max_samples = kAllItems);

}  // namespace utrain::tools
