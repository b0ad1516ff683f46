// Checkpoints: a model's description and every parameter of a Trainer, in one file that a later
// run (`utrain eval --load`, or training that continues) rebuilds the model from.
//
// File layout, version 1, every number little-endian (tools/byte_stream.h):
//   header   "UTRAINCK" (8 bytes), u32 version, u64 file size in bytes (this whole file),
//            u32 node count, u32 parameter array count
//   nodes    per node: u8 kind, u8 frozen, u8 has_bias, u8 fused activation, u8 activation,
//            i32 input node, i32 sample c, h, w, i32 in_features, i32 out_features,
//            f32 fused activation slope, f32 activation slope
//   params   per array, in Trainer::parameter() order (node order; weight, bias, running stats):
//            u32 node, u32 role (ParamRole: 0 weight, 1 bias, 2 running mean, 3 running var),
//            u64 count, count × f32
//   trailer  u32 CRC-32 (tools/crc32.h) of every byte before it
//
// Loading checks, in order, and stops at the first failure with a ToolError naming the file:
// magic, version, the size recorded in the header against the file's size (truncation), the
// checksum (corruption), then that the node list rebuilds a valid Model and that the parameter
// arrays are exactly those of that model (order, node, kind and size). Saving is atomic
// (tools/atomic_file.h): a failed save leaves the previous checkpoint intact.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/model.h"
#include "graph/trainer.h"

namespace utrain::tools {

inline constexpr char kCheckpointMagic[8] = {'U', 'T', 'R', 'A', 'I', 'N', 'C', 'K'};
inline constexpr uint32_t kCheckpointVersion = 1;

struct ParameterArray {
  int node = 0;
  ParamRole role = ParamRole::weight;
  std::vector<float> values;
};

struct Checkpoint {
  std::string source;  // where it was read from, for messages
  Model model{1};
  std::vector<ParameterArray> parameters;  // in Trainer::parameter() order
};

// The file's bytes for `trainer`, which must have been initialised with `model`.
std::vector<std::byte> encode_checkpoint(const Model& model, const Trainer& trainer);

// Validates and decodes a checkpoint; `source` names it in error messages (the file name).
Checkpoint decode_checkpoint(std::span<const std::byte> bytes, std::string_view source);

void save_checkpoint(const std::filesystem::path& path, const Model& model, const Trainer& trainer);
Checkpoint load_checkpoint(const std::filesystem::path& path);

// Copies the checkpoint's parameters into `trainer` (initialised with `model`) and resets its
// optimizer. Throws ToolError when `model` is not the checkpoint's model, naming both.
void restore_parameters(const Checkpoint& checkpoint, const Model& model, Trainer& trainer);

}  // namespace utrain::tools
