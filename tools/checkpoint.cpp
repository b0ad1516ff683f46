#include "tools/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "tools/atomic_file.h"
#include "tools/byte_stream.h"
#include "tools/checkpoint_nodes.h"
#include "tools/crc32.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

constexpr size_t kChecksumBytes = 4;
constexpr size_t kFileSizeOffset = sizeof kCheckpointMagic + 4;

struct ExpectedArray {
  int node;
  ParamRole role;
  size_t count;
};

// The parameter arrays of `model`, in Trainer::parameter() order.
std::vector<ExpectedArray> expected_arrays(const Model& model) {
  std::vector<ExpectedArray> arrays;
  for (int i = 1; i < model.node_count(); ++i) {
    const Node& n = model.node(i);
    const auto state = static_cast<size_t>(node_state_floats(n)) / 2;
    const ExpectedArray candidates[] = {{i, ParamRole::weight, static_cast<size_t>(node_weight_count(n))},
                                        {i, ParamRole::bias, static_cast<size_t>(node_bias_count(n))},
                                        {i, ParamRole::running_mean, state},
                                        {i, ParamRole::running_var, state}};
    for (const ExpectedArray& a : candidates)
      if (a.count != 0) arrays.push_back(a);
  }
  return arrays;
}

// The trainer must hold exactly the arrays of `model`; anything else is a programming error of
// the caller (a trainer initialised with another model), reported rather than written blindly.
void check_trainer_matches(const Model& model, const Trainer& trainer) {
  const std::vector<ExpectedArray> expected = expected_arrays(model);
  if (trainer.parameter_count() != static_cast<int>(expected.size()))
    throw ToolError(fmt::format("the trainer has {} parameter arrays, the model {}", trainer.parameter_count(),
                                expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const ParameterView v = trainer.parameter(static_cast<int>(i));
    if (v.node != expected[i].node || v.role != expected[i].role || v.count != expected[i].count ||
        v.values == nullptr)
      throw ToolError(fmt::format("the trainer's parameter array {} is not the model's node {} {}", i,
                                  expected[i].node, param_role_name(expected[i].role)));
  }
}

struct Header {
  uint32_t version = 0;
  size_t body_start = 0;
};

// Checks everything that guards the body (magic, version, size, checksum).
Header check_header(std::span<const std::byte> bytes, std::string_view source) {
  ByteReader r(bytes, std::string(source));
  const size_t magic_bytes = std::min(bytes.size(), sizeof kCheckpointMagic);
  const bool magic_matches = std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(magic_bytes),
                                        reinterpret_cast<const std::byte*>(kCheckpointMagic));
  if (!magic_matches) throw ToolError(fmt::format("{}: not a utrain checkpoint (its first bytes are not \"UTRAINCK\")", source));
  r.raw(sizeof kCheckpointMagic, "the magic");
  const uint32_t version = r.u32("the version");
  if (version < kOldestCheckpointVersion || version > kCheckpointVersion)
    throw ToolError(fmt::format("{}: checkpoint version {} is not supported (this build reads versions {} to {})",
                                source, version, kOldestCheckpointVersion, kCheckpointVersion));
  const uint64_t recorded = r.u64("the file size");
  if (recorded != bytes.size())
    throw ToolError(fmt::format("{}: {}: the file has {} bytes, its header records {}", source,
                                bytes.size() < recorded ? "truncated" : "unexpected bytes at the end", bytes.size(),
                                recorded));
  if (bytes.size() < r.offset() + kChecksumBytes)
    throw ToolError(fmt::format("{}: truncated: no room for the checksum", source));
  ByteReader trailer(bytes.last(kChecksumBytes), std::string(source));
  const uint32_t stored = trailer.u32("the checksum");
  const uint32_t computed = crc32(bytes.first(bytes.size() - kChecksumBytes));
  if (stored != computed)
    throw ToolError(fmt::format("{}: checksum mismatch (stored {:08x}, computed {:08x}): the file is corrupted", source,
                                stored, computed));
  return Header{version, r.offset()};
}

std::vector<std::byte> read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ToolError(fmt::format("{}: is a directory, not a checkpoint", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ToolError(fmt::format("{}: read error: {}", path.string(), std::strerror(errno)));
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

}  // namespace

std::vector<std::byte> encode_checkpoint(const Model& model, const Trainer& trainer) {
  check_status(model.status(), "saving a checkpoint of an invalid model");
  check_trainer_matches(model, trainer);
  ByteWriter w;
  for (const char c : kCheckpointMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(kCheckpointVersion);
  w.u64(0);  // the file size, patched below
  w.u32(static_cast<uint32_t>(model.node_count()));
  w.u32(static_cast<uint32_t>(trainer.parameter_count()));
  for (int i = 0; i < model.node_count(); ++i) write_node_record(w, kCheckpointVersion, model.node(i), model.layout());
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    const ParameterView v = trainer.parameter(p);
    w.u32(static_cast<uint32_t>(v.node));
    w.u32(static_cast<uint32_t>(v.role));
    w.u64(v.count);
    for (size_t k = 0; k < v.count; ++k) w.f32(v.values[k]);
  }
  w.patch_u64(kFileSizeOffset, w.size() + kChecksumBytes);
  w.u32(crc32(w.bytes()));
  return w.take();
}

Checkpoint decode_checkpoint(std::span<const std::byte> bytes, std::string_view source) {
  const Header header = check_header(bytes, source);
  ByteReader r(bytes.first(bytes.size() - kChecksumBytes), std::string(source), header.body_start);

  const uint32_t node_count = r.u32("the node count");
  const uint32_t array_count = r.u32("the parameter array count");
  if (node_count < 2 || node_count > static_cast<uint32_t>(Model::kMaxNodes))
    throw ToolError(fmt::format("{}: {} nodes: a model has 2 to {}", source, node_count, Model::kMaxNodes));
  const StoredModel stored = read_node_records(r, header.version, node_count, source);

  Checkpoint checkpoint;
  checkpoint.source = std::string(source);
  checkpoint.version = header.version;
  checkpoint.model = rebuild_model(stored, header.version, source);
  const std::vector<ExpectedArray> expected = expected_arrays(checkpoint.model);
  if (array_count != expected.size())
    throw ToolError(fmt::format("{}: {} parameter arrays, but its model ({}) has {}", source, array_count,
                                describe_model(checkpoint.model), expected.size()));
  for (const ExpectedArray& want : expected) {
    const uint32_t node = r.u32("a parameter array's node");
    const uint32_t role = r.u32("a parameter array's role");
    const uint64_t count = r.u64("a parameter array's size");
    if (node != static_cast<uint32_t>(want.node) || role != static_cast<uint32_t>(want.role) || count != want.count)
      throw ToolError(fmt::format("{}: parameter array of node {} ({}, {} values) where node {} {} with {} values was "
                                  "expected",
                                  source, node, role <= static_cast<uint32_t>(ParamRole::running_var) ? param_role_name(static_cast<ParamRole>(role)) : "unknown role",
                                  count, want.node, param_role_name(want.role), want.count));
    if (count > r.remaining() / sizeof(float))
      throw ToolError(fmt::format("{}: node {} {}: {} values do not fit in the rest of the file", source, want.node,
                                  param_role_name(want.role), count));
    ParameterArray array{want.node, want.role, std::vector<float>(want.count)};
    for (float& v : array.values) v = r.f32("parameter values");
    checkpoint.parameters.push_back(std::move(array));
  }
  if (r.remaining() != 0)
    throw ToolError(fmt::format("{}: {} unexpected bytes after the parameters", source, r.remaining()));
  return checkpoint;
}

void save_checkpoint(const std::filesystem::path& path, const Model& model, const Trainer& trainer) {
  write_file_atomically(path, encode_checkpoint(model, trainer));
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  return decode_checkpoint(read_file_bytes(path), path.string());
}

void restore_parameters(const Checkpoint& checkpoint, const Model& model, Trainer& trainer) {
  if (!same_model(checkpoint.model, model))
    throw ToolError(fmt::format("{}: model mismatch: the checkpoint holds {}, the model is {}", checkpoint.source,
                                describe_model(checkpoint.model), describe_model(model)));
  check_trainer_matches(model, trainer);
  for (size_t i = 0; i < checkpoint.parameters.size(); ++i) {
    const ParameterView v = trainer.parameter(static_cast<int>(i));
    std::copy(checkpoint.parameters[i].values.begin(), checkpoint.parameters[i].values.end(), v.values);
  }
  trainer.reset_optimizer();
}

}  // namespace utrain::tools
