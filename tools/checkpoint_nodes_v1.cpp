#include "tools/checkpoint_nodes_v1.h"

#include "tools/node_record_fields.h"

namespace utrain::tools {

void write_node_record_v1(ByteWriter& w, const Node& n) {
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

Node read_node_record_v1(ByteReader& r, int id, std::string_view source) {
  NodeFields f(r, id, source);
  Node n;
  // Version 1's kind values are those of the NodeKind of its time: input, linear, activation.
  n.kind = f.enumerator("kind", NodeKind::activation);
  n.frozen = f.flag("frozen flag");
  n.linear.has_bias = f.flag("bias flag");
  n.linear.act = f.enumerator("fused activation", Activation::tanh);
  n.activation.kind = f.enumerator("activation", Activation::tanh);
  n.input = f.input("input node");
  n.sample.c = f.i32("node sample channels");
  n.sample.h = f.i32("node sample height");
  n.sample.w = f.i32("node sample width");
  n.linear.in_features = f.i32("node in_features");
  n.linear.out_features = f.i32("node out_features");
  n.linear.act_slope = f.f32("node fused activation slope");
  n.activation.slope = f.f32("node activation slope");
  return n;
}

}  // namespace utrain::tools
