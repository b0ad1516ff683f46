// Checkpoints: a model's description and every parameter of a Trainer, in one file that a later
// run (`utrain eval --load`, or training that continues) rebuilds the model from.
//
// File layout, version 2, every number little-endian (tools/byte_stream.h):
//   header   "UTRAINCK" (8 bytes), u32 version, u64 file size in bytes (this whole file),
//            u32 node count, u32 parameter array count
//   nodes    per node, in model order (tools/checkpoint_nodes.h):
//              u8 kind, u8 frozen, u8 bias_only, i32 input node, i32 second input node (add;
//              -1 otherwise), i32 sample channels, height, width, then the kind's own fields:
//              input            u8 layout of the model
//              linear           i32 in_features, i32 out_features, u8 has_bias, u8 fused activation,
//                               f32 its slope
//              activation       u8 activation, f32 slope
//              conv2d           i32 in_channels, i32 out_channels, window, u8 has_bias,
//                               u8 fused activation, f32 its slope, u8 layout
//              depthwise_conv2d i32 channels, window, u8 has_bias, u8 fused activation, f32 its slope,
//                               u8 layout
//              conv_transpose2d i32 in_channels, i32 out_channels, window, i32 output padding height,
//                               i32 output padding width, u8 has_bias, u8 layout
//              pool2d           u8 pool kind, window, u8 count_include_pad, u8 layout
//              batch_norm2d     i32 channels, f32 eps, f32 momentum, u8 affine, u8 layout
//              layer_norm       i32 features, f32 eps, u8 affine
//              instance_norm2d  i32 channels, f32 eps, u8 affine, u8 layout
//              global_avg_pool, add, reshape (and flatten): none
//            window: i32 kernel height, width, stride height, width, padding top, bottom, left,
//            right, dilation height, width
//   params   per array, in Trainer::parameter() order (node order; weight, bias, running stats):
//            u32 node, u32 role (ParamRole: 0 weight, 1 bias, 2 running mean, 3 running var),
//            u64 count, count × f32
//   trailer  u32 CRC-32 (tools/crc32.h) of every byte before it
// Codes: kind 0 input, 1 linear, 2 activation, 3 conv2d, 4 depthwise_conv2d, 5 conv_transpose2d,
// 6 pool2d, 7 global_avg_pool, 8 batch_norm2d, 9 layer_norm, 10 instance_norm2d, 11 add,
// 12 reshape; activation 0 none, 1 relu, 2 leaky_relu, 3 sigmoid, 4 tanh; pool kind 0 max,
// 1 average; layout 0 CHW, 1 HWC; flags 0 or 1.
//
// Version 1 (still read, no longer written) had the same header, parameters and trailer, and for
// input, Linear and activation nodes only, one record each of: u8 kind, u8 frozen, u8 has_bias,
// u8 fused activation, u8 activation, i32 input node, i32 sample c, h, w, i32 in_features,
// i32 out_features, f32 fused activation slope, f32 activation slope. Its models are CHW.
//
// Loading checks, in order, and stops at the first failure with a ToolError naming the file:
// magic, version, the size recorded in the header against the file's size (truncation), the
// checksum (corruption), then each node record's codes and flags, that the node list rebuilds a
// valid Model through the builder with every node exactly as stored, and that the parameter
// arrays are exactly those of that model (order, node, role and size). Saving is atomic
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
inline constexpr uint32_t kCheckpointVersion = 2;      // what save_checkpoint() writes
inline constexpr uint32_t kOldestCheckpointVersion = 1;  // the oldest version loading accepts

struct ParameterArray {
  int node = 0;
  ParamRole role = ParamRole::weight;
  std::vector<float> values;
};

struct Checkpoint {
  std::string source;  // where it was read from, for messages
  uint32_t version = kCheckpointVersion;  // the file's format version
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
