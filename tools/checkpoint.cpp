#include "tools/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "tools/atomic_file.h"
#include "tools/byte_stream.h"
#include "tools/crc32.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

constexpr size_t kChecksumBytes = 4;
constexpr size_t kFileSizeOffset = sizeof kCheckpointMagic + 4;

void write_node(ByteWriter& w, const Node& n) {
  w.u8(static_cast<uint8_t>(n.kind));
  w.u8(n.frozen ? 1 : 0);
  w.u8(n.linear.has_bias ? 1 : 0);
  w.u8(static_cast<uint8_t>(n.linear.act));
  w.u8(static_cast<uint8_t>(n.activation.kind));
  w.i32(n.input);
  w.i32(n.sample.c);
  w.i32(n.sample.h);
  w.i32(n.sample.w);
  w.i32(n.linear.in_features);
  w.i32(n.linear.out_features);
  w.f32(n.linear.act_slope);
  w.f32(n.activation.slope);
}

std::vector<std::byte> node_bytes(const Node& n) {
  ByteWriter w;
  write_node(w, n);
  return w.take();
}

// Reads one node record, rejecting enum values and flags this version does not know.
Node read_node(ByteReader& r, int id, std::string_view source) {
  const auto bad = [&](const char* what, int64_t value) {
    return ToolError(fmt::format("{}: node {}: {} {} is not valid", source, id, what, value));
  };
  Node n;
  const uint8_t kind = r.u8("node kind");
  const uint8_t frozen = r.u8("node frozen flag");
  const uint8_t has_bias = r.u8("node bias flag");
  const uint8_t fused = r.u8("node fused activation");
  const uint8_t activation = r.u8("node activation");
  if (kind > static_cast<uint8_t>(NodeKind::activation)) throw bad("kind", kind);
  if (frozen > 1) throw bad("frozen flag", frozen);
  if (has_bias > 1) throw bad("bias flag", has_bias);
  if (fused > static_cast<uint8_t>(Activation::tanh)) throw bad("fused activation", fused);
  if (activation > static_cast<uint8_t>(Activation::tanh)) throw bad("activation", activation);
  n.kind = static_cast<NodeKind>(kind);
  n.frozen = frozen == 1;
  n.linear.has_bias = has_bias == 1;
  n.linear.act = static_cast<Activation>(fused);
  n.activation.kind = static_cast<Activation>(activation);
  const int32_t input = r.i32("node input");
  if (input < -1 || input >= id) throw bad("input node", input);
  n.input = static_cast<int16_t>(input);
  n.sample.c = r.i32("node sample channels");
  n.sample.h = r.i32("node sample height");
  n.sample.w = r.i32("node sample width");
  n.linear.in_features = r.i32("node in_features");
  n.linear.out_features = r.i32("node out_features");
  n.linear.act_slope = r.f32("node fused activation slope");
  n.activation.slope = r.f32("node activation slope");
  return n;
}

// Rebuilds the model with the builder (which validates it), then requires every rebuilt node to
// equal the stored one, so a checkpoint can only describe models the builder can make.
Model rebuild_model(const std::vector<Node>& nodes, std::string_view source) {
  const Node& first = nodes.front();
  if (first.kind != NodeKind::input || first.input != -1 || first.sample.h != 1 || first.sample.w != 1)
    throw ToolError(fmt::format("{}: node 0 is not a model input of c × 1 × 1 features", source));
  Model model(first.sample.c);
  for (size_t i = 1; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.input != static_cast<int>(i) - 1)
      throw ToolError(fmt::format("{}: node {} reads node {}; only sequential models are supported", source, i, n.input));
    if (n.kind == NodeKind::linear) model.linear(n.linear.out_features, n.linear.has_bias);
    if (n.kind == NodeKind::activation) model.activation(n.activation.kind, n.activation.slope);
    if (n.kind == NodeKind::input) throw ToolError(fmt::format("{}: node {} is a second input", source, i));
    if (n.frozen) model.freeze();
    check_status(model.status(), fmt::format("{}: node {}", source, i));
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& rebuilt = model.node(static_cast<int>(i));
    if (node_bytes(rebuilt) != node_bytes(nodes[i]))
      throw ToolError(fmt::format("{}: node {} ({}) is inconsistent: the model builder makes it {}", source, i,
                                  describe_node(nodes[i]), describe_node(rebuilt)));
  }
  return model;
}

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

// Checks everything that guards the body (magic, version, size, checksum) and returns the
// offset where the body starts.
size_t check_header(std::span<const std::byte> bytes, std::string_view source) {
  ByteReader r(bytes, std::string(source));
  const size_t magic_bytes = std::min(bytes.size(), sizeof kCheckpointMagic);
  const bool magic_matches = std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(magic_bytes),
                                        reinterpret_cast<const std::byte*>(kCheckpointMagic));
  if (!magic_matches) throw ToolError(fmt::format("{}: not a utrain checkpoint (its first bytes are not \"UTRAINCK\")", source));
  r.raw(sizeof kCheckpointMagic, "the magic");
  const uint32_t version = r.u32("the version");
  if (version != kCheckpointVersion)
    throw ToolError(fmt::format("{}: checkpoint version {} is not supported (this build reads version {})", source,
                                version, kCheckpointVersion));
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
  return r.offset();
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
  // Version 1 records the fields of Linear and activation nodes only.
  for (int i = 1; i < model.node_count(); ++i)
    if (model.node(i).kind != NodeKind::linear && model.node(i).kind != NodeKind::activation)
      throw ToolError(fmt::format("checkpoints hold Linear and activation models only; node {} is {}", i,
                                  node_kind_name(model.node(i).kind)));
  check_trainer_matches(model, trainer);
  ByteWriter w;
  for (const char c : kCheckpointMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(kCheckpointVersion);
  w.u64(0);  // the file size, patched below
  w.u32(static_cast<uint32_t>(model.node_count()));
  w.u32(static_cast<uint32_t>(trainer.parameter_count()));
  for (int i = 0; i < model.node_count(); ++i) write_node(w, model.node(i));
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
  const size_t body_start = check_header(bytes, source);
  ByteReader r(bytes.first(bytes.size() - kChecksumBytes), std::string(source), body_start);

  const uint32_t node_count = r.u32("the node count");
  const uint32_t array_count = r.u32("the parameter array count");
  if (node_count < 2 || node_count > static_cast<uint32_t>(Model::kMaxNodes))
    throw ToolError(fmt::format("{}: {} nodes: a model has 2 to {}", source, node_count, Model::kMaxNodes));
  std::vector<Node> nodes;
  for (uint32_t i = 0; i < node_count; ++i) nodes.push_back(read_node(r, static_cast<int>(i), source));

  Checkpoint checkpoint;
  checkpoint.source = std::string(source);
  checkpoint.model = rebuild_model(nodes, source);
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
  bool same = checkpoint.model.node_count() == model.node_count();
  for (int i = 0; same && i < model.node_count(); ++i)
    same = node_bytes(checkpoint.model.node(i)) == node_bytes(model.node(i));
  if (!same)
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
