// Node records of checkpoint format version 1, which `utrain` wrote before it had convolutions:
// input, Linear and activation nodes only, each with the same fields (tools/checkpoint.h). They
// are still read, so older checkpoints load; they are written only to check such a file's
// nodes against the rebuilt model.
#pragma once
#include <string_view>

#include "graph/model.h"
#include "tools/byte_stream.h"

namespace utrain::tools {

void write_node_record_v1(ByteWriter& w, const Node& node);

// Throws ToolError for a kind other than input, Linear or activation, a bad flag or enum value,
// or an input that is not an earlier node.
Node read_node_record_v1(ByteReader& r, int id, std::string_view source);

}  // namespace utrain::tools
