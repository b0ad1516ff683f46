#include "tools/checkpoint_nodes.h"

#include <algorithm>

#include <fmt/format.h>

#include "tools/checkpoint_nodes_v1.h"
#include "tools/model_summary.h"
#include "tools/node_record_fields.h"

namespace utrain::tools {
namespace {

void write_window(ByteWriter& w, const Window2d& win) {
  for (const int32_t v : {win.kernel_h, win.kernel_w, win.stride_h, win.stride_w, win.pad.top, win.pad.bottom,
                          win.pad.left, win.pad.right, win.dilation_h, win.dilation_w})
    w.i32(v);
}

Window2d read_window(NodeFields& f) {
  Window2d win;
  win.kernel_h = f.i32("window kernel height");
  win.kernel_w = f.i32("window kernel width");
  win.stride_h = f.i32("window stride height");
  win.stride_w = f.i32("window stride width");
  win.pad.top = f.i32("window padding top");
  win.pad.bottom = f.i32("window padding bottom");
  win.pad.left = f.i32("window padding left");
  win.pad.right = f.i32("window padding right");
  win.dilation_h = f.i32("window dilation height");
  win.dilation_w = f.i32("window dilation width");
  return win;
}

void write_flag(ByteWriter& w, bool flag) { w.u8(flag ? 1 : 0); }
void write_code(ByteWriter& w, auto enumerator) { w.u8(static_cast<uint8_t>(enumerator)); }

// The fields of the node's own kind, after the common ones.
void write_params(ByteWriter& w, const Node& n, Layout model_layout) {
  switch (n.kind) {
    case NodeKind::input: write_code(w, model_layout); return;
    case NodeKind::linear:
      w.i32(n.linear.in_features), w.i32(n.linear.out_features);
      write_flag(w, n.linear.has_bias), write_code(w, n.linear.act), w.f32(n.linear.act_slope);
      return;
    case NodeKind::activation: write_code(w, n.activation.kind), w.f32(n.activation.slope); return;
    case NodeKind::conv2d:
      w.i32(n.conv.in_channels), w.i32(n.conv.out_channels), write_window(w, n.conv.window);
      write_flag(w, n.conv.has_bias), write_code(w, n.conv.act), w.f32(n.conv.act_slope);
      write_code(w, n.conv.layout);
      return;
    case NodeKind::depthwise_conv2d:
      w.i32(n.depthwise.channels), write_window(w, n.depthwise.window);
      write_flag(w, n.depthwise.has_bias), write_code(w, n.depthwise.act), w.f32(n.depthwise.act_slope);
      write_code(w, n.depthwise.layout);
      return;
    case NodeKind::conv_transpose2d:
      w.i32(n.conv_transpose.in_channels), w.i32(n.conv_transpose.out_channels);
      write_window(w, n.conv_transpose.window);
      w.i32(n.conv_transpose.output_pad_h), w.i32(n.conv_transpose.output_pad_w);
      write_flag(w, n.conv_transpose.has_bias), write_code(w, n.conv_transpose.layout);
      return;
    case NodeKind::pool2d:
      write_code(w, n.pool.kind), write_window(w, n.pool.window);
      write_flag(w, n.pool.count_include_pad), write_code(w, n.pool.layout);
      return;
    case NodeKind::batch_norm2d:
      w.i32(n.batch_norm.channels), w.f32(n.batch_norm.eps), w.f32(n.batch_norm.momentum);
      write_flag(w, n.batch_norm.affine), write_code(w, n.batch_norm.layout);
      return;
    case NodeKind::layer_norm:
      w.i32(n.layer_norm.features), w.f32(n.layer_norm.eps), write_flag(w, n.layer_norm.affine);
      return;
    case NodeKind::instance_norm2d:
      w.i32(n.instance_norm.channels), w.f32(n.instance_norm.eps);
      write_flag(w, n.instance_norm.affine), write_code(w, n.instance_norm.layout);
      return;
    // Their fields are common ones: add's second input, reshape's sample shape.
    case NodeKind::global_avg_pool:
    case NodeKind::add:
    case NodeKind::reshape: return;
  }
}

void read_params(NodeFields& f, Node& n, Layout* model_layout) {
  switch (n.kind) {
    case NodeKind::input: *model_layout = f.enumerator("layout", Layout::hwc); return;
    case NodeKind::linear:
      n.linear.in_features = f.i32("in_features"), n.linear.out_features = f.i32("out_features");
      n.linear.has_bias = f.flag("bias flag");
      n.linear.act = f.enumerator("fused activation", Activation::tanh);
      n.linear.act_slope = f.f32("fused activation slope");
      return;
    case NodeKind::activation:
      n.activation.kind = f.enumerator("activation", Activation::tanh);
      n.activation.slope = f.f32("activation slope");
      return;
    case NodeKind::conv2d:
      n.conv.in_channels = f.i32("in_channels"), n.conv.out_channels = f.i32("out_channels");
      n.conv.window = read_window(f);
      n.conv.has_bias = f.flag("bias flag");
      n.conv.act = f.enumerator("fused activation", Activation::tanh);
      n.conv.act_slope = f.f32("fused activation slope");
      n.conv.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::depthwise_conv2d:
      n.depthwise.channels = f.i32("channels");
      n.depthwise.window = read_window(f);
      n.depthwise.has_bias = f.flag("bias flag");
      n.depthwise.act = f.enumerator("fused activation", Activation::tanh);
      n.depthwise.act_slope = f.f32("fused activation slope");
      n.depthwise.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::conv_transpose2d:
      n.conv_transpose.in_channels = f.i32("in_channels"), n.conv_transpose.out_channels = f.i32("out_channels");
      n.conv_transpose.window = read_window(f);
      n.conv_transpose.output_pad_h = f.i32("output padding height");
      n.conv_transpose.output_pad_w = f.i32("output padding width");
      n.conv_transpose.has_bias = f.flag("bias flag");
      n.conv_transpose.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::pool2d:
      n.pool.kind = f.enumerator("pool kind", PoolKind::average);
      n.pool.window = read_window(f);
      n.pool.count_include_pad = f.flag("count_include_pad flag");
      n.pool.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::batch_norm2d:
      n.batch_norm.channels = f.i32("channels");
      n.batch_norm.eps = f.f32("eps"), n.batch_norm.momentum = f.f32("momentum");
      n.batch_norm.affine = f.flag("affine flag");
      n.batch_norm.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::layer_norm:
      n.layer_norm.features = f.i32("features"), n.layer_norm.eps = f.f32("eps");
      n.layer_norm.affine = f.flag("affine flag");
      return;
    case NodeKind::instance_norm2d:
      n.instance_norm.channels = f.i32("channels"), n.instance_norm.eps = f.f32("eps");
      n.instance_norm.affine = f.flag("affine flag");
      n.instance_norm.layout = f.enumerator("layout", Layout::hwc);
      return;
    case NodeKind::global_avg_pool:
    case NodeKind::add:
    case NodeKind::reshape: return;
  }
}

void write_node_record_v2(ByteWriter& w, const Node& n, Layout model_layout) {
  write_code(w, n.kind);
  write_flag(w, n.frozen), write_flag(w, n.bias_only);
  w.i32(n.input), w.i32(n.second_input);
  w.i32(n.sample.c), w.i32(n.sample.h), w.i32(n.sample.w);
  write_params(w, n, model_layout);
}

Node read_node_record_v2(ByteReader& r, int id, std::string_view source, Layout* model_layout) {
  NodeFields f(r, id, source);
  Node n;
  n.kind = f.enumerator("kind", NodeKind::reshape);
  n.frozen = f.flag("frozen flag");
  n.bias_only = f.flag("bias-only flag");
  n.input = f.input("input node");
  n.second_input = f.second_input("second input node", n.kind == NodeKind::add);
  n.sample.c = f.i32("sample channels"), n.sample.h = f.i32("sample height"), n.sample.w = f.i32("sample width");
  read_params(f, n, model_layout);
  return n;
}

std::vector<std::byte> record_bytes(uint32_t version, const Node& node, Layout model_layout) {
  ByteWriter w;
  write_node_record(w, version, node, model_layout);
  return w.take();
}

// The builder call that appends a node like `n` to `model` (whose cursor is n's input).
void append_like(Model& model, const Node& n, std::string_view source, int id) {
  switch (n.kind) {
    case NodeKind::input: throw ToolError(fmt::format("{}: node {} is a second model input", source, id));
    case NodeKind::linear: model.linear(n.linear.out_features, n.linear.has_bias); return;
    case NodeKind::activation: model.activation(n.activation.kind, n.activation.slope); return;
    case NodeKind::conv2d: model.conv2d(n.conv.out_channels, n.conv.window, n.conv.has_bias); return;
    case NodeKind::depthwise_conv2d: model.depthwise_conv2d(n.depthwise.window, n.depthwise.has_bias); return;
    case NodeKind::conv_transpose2d: {
      const ConvTranspose2dParams& p = n.conv_transpose;
      model.conv_transpose2d(p.out_channels, p.window, p.output_pad_h, p.output_pad_w, p.has_bias);
      return;
    }
    case NodeKind::pool2d:
      if (n.pool.kind == PoolKind::max)
        model.max_pool2d(n.pool.window);
      else
        model.avg_pool2d(n.pool.window, n.pool.count_include_pad);
      return;
    case NodeKind::global_avg_pool: model.global_avg_pool(); return;
    case NodeKind::batch_norm2d: model.batch_norm2d(n.batch_norm.eps, n.batch_norm.momentum); return;
    case NodeKind::layer_norm: model.layer_norm(n.layer_norm.eps); return;
    case NodeKind::instance_norm2d: model.instance_norm2d(n.instance_norm.eps); return;
    case NodeKind::add: model.add(n.second_input); return;
    case NodeKind::reshape: model.reshape(n.sample.c, n.sample.h, n.sample.w); return;
  }
}

}  // namespace

void write_node_record(ByteWriter& w, uint32_t version, const Node& node, Layout model_layout) {
  if (version == 1)
    write_node_record_v1(w, node);
  else
    write_node_record_v2(w, node, model_layout);
}

StoredModel read_node_records(ByteReader& r, uint32_t version, uint32_t count, std::string_view source) {
  StoredModel stored;
  for (uint32_t i = 0; i < count; ++i) {
    const int id = static_cast<int>(i);
    stored.nodes.push_back(version == 1 ? read_node_record_v1(r, id, source)
                                        : read_node_record_v2(r, id, source, &stored.layout));
  }
  return stored;
}

namespace {

// Node `id` as rebuilt must have exactly its stored record.
void check_rebuilt(const Model& model, const StoredModel& stored, int id, uint32_t version, std::string_view source) {
  const Node& rebuilt = model.node(id);
  const Node& read = stored.nodes[static_cast<size_t>(id)];
  const std::vector<std::byte> want = record_bytes(version, rebuilt, model.layout());
  const std::vector<std::byte> got = record_bytes(version, read, stored.layout);
  // The byte says which field differs where the descriptions do not (a layout, a flag).
  if (got != want)
    throw ToolError(fmt::format(
        "{}: node {} ({}) is inconsistent: the model builder makes it {} (its record differs from byte {} on)", source,
        id, describe_node(read), describe_node(rebuilt),
        std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin()));
}

}  // namespace

Model rebuild_model(const StoredModel& stored, uint32_t version, std::string_view source) {
  const Node& first = stored.nodes.front();
  if (first.kind != NodeKind::input)
    throw ToolError(fmt::format("{}: node 0 is {}, not the model input", source, node_kind_name(first.kind)));
  Model model(first.sample.c, first.sample.h, first.sample.w, stored.layout);
  check_status(model.status(), fmt::format("{}: node 0", source));
  check_rebuilt(model, stored, 0, version, source);
  // Node by node, so the first node that differs is named before later ones fail to build.
  for (size_t i = 1; i < stored.nodes.size(); ++i) {
    const Node& n = stored.nodes[i];
    const int id = static_cast<int>(i);
    model.from(n.input);
    append_like(model, n, source, id);
    if (n.frozen) model.freeze();
    if (n.bias_only) model.train_bias_only();
    check_status(model.status(), fmt::format("{}: node {}", source, i));
    check_rebuilt(model, stored, id, version, source);
  }
  return model;
}

bool same_model(const Model& a, const Model& b) {
  constexpr uint32_t kVersion = 2;
  if (a.layout() != b.layout() || a.node_count() != b.node_count()) return false;
  for (int i = 0; i < a.node_count(); ++i)
    if (record_bytes(kVersion, a.node(i), a.layout()) != record_bytes(kVersion, b.node(i), b.layout())) return false;
  return true;
}

}  // namespace utrain::tools
