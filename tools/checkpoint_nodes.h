// How a checkpoint records its model: one record per node (the layouts of each format version
// are in tools/checkpoint.h), read back into nodes and rebuilt through the Model builder.
//
// The builder is the only judge of what a valid model is: a checkpoint's nodes are replayed
// through it (from(), then the kind's builder call, then freeze() or train_bias_only()), and
// every node it makes must have exactly the stored record. So a file can describe only models
// the builder can make, every field it stores is checked, and a field that the builder derives
// (a sample shape, a layer's input channels) cannot disagree with it.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "graph/model.h"
#include "tools/byte_stream.h"

namespace utrain::tools {

// The nodes of a checkpoint as read, before they are checked against the builder.
struct StoredModel {
  Layout layout = Layout::chw;  // the model's, from the input node's record (version 1: CHW)
  std::vector<Node> nodes;
};

// The record of `node` in `version` (1 or 2); the input node's version-2 record holds
// `model_layout`. Version 1 knows only the input, Linear and activation nodes; it is written
// only to check a version-1 file, never saved.
void write_node_record(ByteWriter& w, uint32_t version, const Node& node, Layout model_layout);

// `count` records of `version`. Throws ToolError "<source>: node <i>: <field> <value> is not
// valid" for a kind, enum value, flag or input node the version does not allow.
StoredModel read_node_records(ByteReader& r, uint32_t version, uint32_t count, std::string_view source);

// Rebuilds `stored` with the builder and checks each node against its `version` record. Throws
// ToolError naming the first node the builder rejects or makes differently.
Model rebuild_model(const StoredModel& stored, uint32_t version, std::string_view source);

// True when the two models have the same layout and the same version-2 record for every node.
bool same_model(const Model& a, const Model& b);

}  // namespace utrain::tools
