// Model: the description of a network as a directed acyclic graph of nodes, built in C++ with a
// fluent builder.
//
//   Model m(640);                                  // node 0: the input, 640 features per sample
//   m.linear(128).relu().linear(8).relu().linear(640);
//
//   Model cnn(1, 28, 28, Layout::hwc);             // an image input: channels, height, width
//   cnn.conv2d(8, Window2d{3, 3}).relu().max_pool2d(Window2d{2, 2, 2, 2}).flatten().linear(10);
//
// Each call appends a node fed by the cursor, which is the node added last, so a chain of calls
// is a sequence. Graphs with branches move the cursor: last() names the current node, from(id)
// makes the next node read node id, and add(id) sums the cursor with node id (a residual):
//
//   const int block_in = m.last();
//   m.conv2d(16, k3).batch_norm2d().relu().conv2d(16, k3).batch_norm2d();
//   const int main_path = m.last();
//   m.from(block_in).conv2d(16, k1_stride2);       // the shortcut
//   m.add(main_path).relu();
//
// Nodes only read nodes added before them, so node order is a topological order. Errors are
// sticky: once a call fails, later calls do nothing and status() returns the first error, so a
// chain of calls needs one check. Fixed capacity, no heap: it builds on the device.
#pragma once
#include <stdint.h>

#include "core/status.h"
#include "core/tensor.h"
#include "core/window2d.h"
#include "layers/activation.h"
#include "layers/batch_norm2d.h"
#include "layers/conv2d.h"
#include "layers/conv_transpose2d.h"
#include "layers/depthwise_conv2d.h"
#include "layers/instance_norm2d.h"
#include "layers/layer_norm.h"
#include "layers/linear.h"
#include "layers/pool2d.h"

namespace utrain {

enum class NodeKind : uint8_t {
  input,
  linear,
  activation,
  conv2d,
  depthwise_conv2d,
  conv_transpose2d,
  pool2d,
  global_avg_pool,
  batch_norm2d,
  layer_norm,
  instance_norm2d,
  add,
  reshape,  // flatten() too
};

const char* node_kind_name(NodeKind k);

struct Node {
  NodeKind kind = NodeKind::input;
  int16_t input = -1;         // the node feeding this one (-1 for the input node)
  int16_t second_input = -1;  // add only: the other summand
  Shape sample;               // shape of one sample of this node's output (n = 1)
  // The parameters of the node's kind (the others stay default).
  LinearParams linear;
  ActivationParams activation;
  Conv2dParams conv;
  DepthwiseConv2dParams depthwise;
  ConvTranspose2dParams conv_transpose;
  Pool2dParams pool;
  BatchNorm2dParams batch_norm;
  LayerNormParams layer_norm;
  InstanceNorm2dParams instance_norm;
  bool frozen = false;     // no weight or bias gradient, no update (its input gradient still flows)
  bool bias_only = false;  // only the bias (beta for norms) trains: TinyTL-style fine-tuning
};

class Model {
 public:
  static constexpr int kMaxNodes = 64;

  // A feature-vector input (n × features × 1 × 1).
  explicit Model(int32_t input_features);
  // An image input: every convolution, pooling and norm of the model uses `layout`.
  Model(int32_t channels, int32_t height, int32_t width, Layout layout = Layout::chw);

  Model& linear(int32_t out_features, bool bias = true);
  Model& activation(Activation kind, float slope = kDefaultLeakySlope);
  Model& relu() { return activation(Activation::relu); }
  Model& leaky_relu(float slope = kDefaultLeakySlope) { return activation(Activation::leaky_relu, slope); }
  Model& sigmoid() { return activation(Activation::sigmoid); }
  Model& tanh() { return activation(Activation::tanh); }

  Model& conv2d(int32_t out_channels, const Window2d& window, bool bias = true);
  // A 1×1 convolution: a plain matrix multiply, no im2col.
  Model& pointwise_conv2d(int32_t out_channels, bool bias = true) { return conv2d(out_channels, Window2d{}, bias); }
  Model& depthwise_conv2d(const Window2d& window, bool bias = true);
  Model& conv_transpose2d(int32_t out_channels, const Window2d& window, int32_t output_pad_h = 0,
                          int32_t output_pad_w = 0, bool bias = true);
  Model& max_pool2d(const Window2d& window);
  Model& avg_pool2d(const Window2d& window, bool count_include_pad = true);
  Model& global_avg_pool();
  Model& batch_norm2d(float eps = 1e-5f, float momentum = 0.1f);
  Model& layer_norm(float eps = 1e-5f);
  Model& instance_norm2d(float eps = 1e-5f);
  // The cursor plus node `other` (same shape), elementwise.
  Model& add(int other);
  // Reads the cursor's values as one feature vector per sample, without a copy.
  Model& flatten();
  // Reads the cursor's values as channels × height × width per sample, without a copy: the
  // values keep their memory order, which is the model's layout (CHW like PyTorch's reshape;
  // HWC reads them as pixels of `channels` values). The count must not change.
  Model& reshape(int32_t channels, int32_t height, int32_t width);

  // Freezes the most recently added layer: its parameters get no gradient and no update.
  Model& freeze();
  // Only the bias of the most recently added layer trains (beta for a norm layer).
  Model& train_bias_only();

  // The node the next call reads (the last one added unless from() moved it).
  int last() const { return cursor_; }
  // Makes the next call read node `id`.
  Model& from(int id);

  Layout layout() const { return layout_; }
  Status status() const { return status_; }
  int node_count() const { return count_; }
  const Node& node(int id) const { return nodes_[id]; }
  int output_node() const { return count_ - 1; }
  int32_t input_features() const { return static_cast<int32_t>(nodes_[0].sample.per_sample()); }
  int32_t output_features() const { return static_cast<int32_t>(nodes_[count_ - 1].sample.per_sample()); }
  // Multiply-accumulates of one forward pass of one sample (each backward step costs the same
  // for the layers that run it).
  int64_t forward_macs() const;

 private:
  Node* append(NodeKind kind);
  Model& fail(const Status& s);
  // The cursor's output as an image; an error (naming `what`) for a feature vector of a
  // model whose input is not an image.
  bool needs_image(const char* what);

  Node nodes_[kMaxNodes];
  int count_ = 0;
  int cursor_ = 0;
  Layout layout_ = Layout::chw;
  Status status_;
};

}  // namespace utrain
