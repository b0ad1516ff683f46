// Reading the fields of one node record of a checkpoint, with the checks every format version
// shares: a flag is 0 or 1, an enum value is one the enum has, a node reads earlier nodes only.
// A failure is a ToolError naming the file, the node and the field:
// "model.utck: node 3: activation 9 is not valid".
#pragma once
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "core/tensor.h"
#include "graph/model.h"
#include "tools/byte_stream.h"
#include "tools/tool_error.h"

namespace utrain::tools {

// Checkpoints store these enums as their values (the codes tools/checkpoint.h lists). Pinning
// them here means reordering an enum breaks the build instead of changing what saved files mean.
static_assert(static_cast<int>(NodeKind::input) == 0 && static_cast<int>(NodeKind::linear) == 1 &&
              static_cast<int>(NodeKind::activation) == 2 && static_cast<int>(NodeKind::conv2d) == 3 &&
              static_cast<int>(NodeKind::depthwise_conv2d) == 4 && static_cast<int>(NodeKind::conv_transpose2d) == 5 &&
              static_cast<int>(NodeKind::pool2d) == 6 && static_cast<int>(NodeKind::global_avg_pool) == 7 &&
              static_cast<int>(NodeKind::batch_norm2d) == 8 && static_cast<int>(NodeKind::layer_norm) == 9 &&
              static_cast<int>(NodeKind::instance_norm2d) == 10 && static_cast<int>(NodeKind::add) == 11 &&
              static_cast<int>(NodeKind::reshape) == 12);
static_assert(static_cast<int>(Activation::none) == 0 && static_cast<int>(Activation::relu) == 1 &&
              static_cast<int>(Activation::leaky_relu) == 2 && static_cast<int>(Activation::sigmoid) == 3 &&
              static_cast<int>(Activation::tanh) == 4);
static_assert(static_cast<int>(PoolKind::max) == 0 && static_cast<int>(PoolKind::average) == 1);
static_assert(static_cast<int>(Layout::chw) == 0 && static_cast<int>(Layout::hwc) == 1);

class NodeFields {
 public:
  NodeFields(ByteReader& r, int id, std::string_view source) : r_(r), id_(id), source_(source) {}

  [[noreturn]] void fail(const char* what, int64_t value) const {
    throw ToolError(fmt::format("{}: node {}: {} {} is not valid", source_, id_, what, value));
  }

  int32_t i32(const char* what) { return r_.i32(what); }
  float f32(const char* what) { return r_.f32(what); }
  uint8_t u8(const char* what) { return r_.u8(what); }

  bool flag(const char* what) {
    const uint8_t value = r_.u8(what);
    if (value > 1) fail(what, value);
    return value == 1;
  }

  // An enum stored as its value, which must be at most `last`'s.
  template <typename Enum>
  Enum enumerator(const char* what, Enum last) {
    const uint8_t value = r_.u8(what);
    if (value > static_cast<uint8_t>(last)) fail(what, value);
    return static_cast<Enum>(value);
  }

  // The node's (first) input: -1 for node 0, the model input; an earlier node for the others.
  int16_t input(const char* what) {
    const int32_t value = r_.i32(what);
    if (id_ == 0 ? value != -1 : value < 0 || value >= id_) fail(what, value);
    return static_cast<int16_t>(value);
  }

  // add's second input (an earlier node), -1 for the other kinds.
  int16_t second_input(const char* what, bool present) {
    const int32_t value = r_.i32(what);
    if (present ? value < 0 || value >= id_ : value != -1) fail(what, value);
    return static_cast<int16_t>(value);
  }

 private:
  ByteReader& r_;
  int id_;
  std::string_view source_;
};

}  // namespace utrain::tools
