#include "tools/data/idx_reader.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

// The data types the IDX format defines (the third byte of the magic number).
const char* idx_type_name(uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    default: return nullptr;
  }
}

uint32_t big_endian_u32(std::span<const uint8_t, 4> b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Values are read in pieces of this many bytes, so memory follows the data that arrives rather
// than the size a header claims.
constexpr std::size_t kReadPiece = std::size_t{1} << 20;
// Capacity reserved up front, enough for the largest MNIST-style file (47 MB): it spares the
// copies of a growing vector, and even when a garbage header asks for more it is only address
// space until data arrives to fill it.
constexpr std::size_t kReserveLimit = std::size_t{64} << 20;

}  // namespace

IdxFile::IdxFile(const std::filesystem::path& path, std::span<const std::string_view> dimension_names) : input_(path) {
  std::array<uint8_t, 4> magic{};
  const std::size_t got = input_.read(magic);
  if (got < magic.size())
    throw ToolError(fmt::format("{}: header: the file has {} bytes, the magic number alone needs 4", name(), got));
  const uint32_t magic_number = big_endian_u32(magic);
  if (magic[0] != 0 || magic[1] != 0)
    throw ToolError(fmt::format("{}: magic number 0x{:08x}: its first two bytes must be 0 (not an IDX file?)", name(),
                                magic_number));
  const uint8_t type = magic[2];
  if (idx_type_name(type) == nullptr)
    throw ToolError(fmt::format("{}: magic number 0x{:08x}: data type 0x{:02x} is not an IDX data type", name(),
                                magic_number, type));
  if (type != kIdxUnsignedByte)
    throw ToolError(fmt::format("{}: magic number 0x{:08x}: data type 0x{:02x} ({}) is not supported, only 0x08 "
                                "(unsigned byte)",
                                name(), magic_number, type, idx_type_name(type)));
  const std::size_t rank = magic[3];
  if (rank != dimension_names.size())
    throw ToolError(fmt::format("{}: magic number 0x{:08x}: {} dimensions, expected {} ({})", name(), magic_number,
                                rank, dimension_names.size(), fmt::join(dimension_names, ", ")));

  for (std::size_t d = 0; d < rank; ++d) {
    std::array<uint8_t, 4> size{};
    if (input_.read(size) < size.size())
      throw ToolError(fmt::format("{}: header: the file ends inside the size of dimension {} ({})", name(), d,
                                  dimension_names[d]));
    dimensions_.push_back(big_endian_u32(size));
    if (dimensions_.back() == 0)
      throw ToolError(fmt::format("{}: dimension {} ({}) is 0", name(), d, dimension_names[d]));
  }
  // Every dimension is below 2^32, so item_size_ and the total can each overflow only once the
  // running product exceeds SIZE_MAX / next.
  std::size_t total = dimensions_[0];
  for (std::size_t d = 1; d < rank; ++d) {
    if (total > SIZE_MAX / dimensions_[d])
      throw ToolError(
          fmt::format("{}: dimensions {}: more data than this host can address", name(), dimensions_text()));
    total *= dimensions_[d];
    item_size_ *= dimensions_[d];
  }
}

std::string IdxFile::dimensions_text() const { return fmt::format("{}", fmt::join(dimensions_, "×")); }

std::vector<uint8_t> IdxFile::read_items(std::size_t count) {
  count = std::min(count, items() - items_read_);
  const std::size_t wanted = count * item_size_;
  std::vector<uint8_t> values;
  values.reserve(std::min(wanted, kReserveLimit));
  while (values.size() < wanted) {
    const std::size_t before = values.size();
    const std::size_t piece = std::min(wanted - before, kReadPiece);
    values.resize(before + piece);
    const std::size_t got = input_.read(std::span(values).subspan(before));
    if (got < piece) {
      const std::size_t data_bytes = items_read_ * item_size_ + before + got;
      throw ToolError(fmt::format("{}: data: the file ends {} bytes into the data, the header ({}) promises {} bytes",
                                  name(), data_bytes, dimensions_text(), items() * item_size_));
    }
  }
  items_read_ += count;
  return values;
}

void IdxFile::expect_end() {
  if (items_read_ < items())
    throw ToolError(fmt::format("{}: {} of the {} items were not read", name(), items() - items_read_, items()));
  std::array<uint8_t, 1> extra{};
  if (input_.read(extra) != 0)
    throw ToolError(fmt::format("{}: data: more bytes follow the {} bytes the header ({}) describes", name(),
                                items() * item_size_, dimensions_text()));
}

Dataset read_idx_dataset(const std::filesystem::path& images_path, const std::filesystem::path& labels_path,
                         int32_t classes, std::size_t max_samples) {
  constexpr std::array<std::string_view, 3> kImageDimensions = {"images", "rows", "columns"};
  constexpr std::array<std::string_view, 1> kLabelDimensions = {"labels"};
  IdxFile images(images_path, kImageDimensions);
  IdxFile labels(labels_path, kLabelDimensions);
  if (labels.items() != images.items())
    throw ToolError(fmt::format("{}: {} labels, but {} holds {} images", labels.name(), labels.items(), images.name(),
                                images.items()));
  const std::size_t count = std::min(max_samples, images.items());
  const bool everything = count == images.items();

  Dataset data;
  data.classes = classes;
  const std::vector<uint8_t> label_values = labels.read_items(count);
  if (everything) labels.expect_end();
  data.labels.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (label_values[i] >= classes)
      throw ToolError(fmt::format("{}: label {} (counting from 0) is {}, outside 0..{}", labels.name(), i,
                                  label_values[i], classes - 1));
    data.labels.push_back(label_values[i]);
  }

  // Rows and columns are below 2^32 each, but a Dataset counts features in int32_t.
  const std::size_t pixels = images.item_size();
  if (pixels > INT32_MAX)
    throw ToolError(fmt::format("{}: images of {}×{} pixels are too large", images.name(), images.dimensions()[1],
                                images.dimensions()[2]));
  data.features = static_cast<int32_t>(pixels);
  data.shape = SampleShape{1, static_cast<int32_t>(images.dimensions()[1]),
                           static_cast<int32_t>(images.dimensions()[2])};
  const std::vector<uint8_t> pixel_values = images.read_items(count);
  if (everything) images.expect_end();
  data.inputs.reserve(pixel_values.size());
  for (const uint8_t v : pixel_values) data.inputs.push_back(static_cast<float>(v) / 255.0f);
  return data;
}

}  // namespace utrain::tools
