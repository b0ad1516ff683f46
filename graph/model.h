// Model: the description of a network as a graph of nodes, built in C++ with a fluent builder.
//
//   Model m(640);                                  // node 0: the input, 640 features per sample
//   m.linear(128).relu().linear(8).relu().linear(640);
//   if (!m.status().ok()) ...                      // the first builder error, if any
//
// Each call appends a node fed by the previous one (a sequence); nodes keep the ids of their
// inputs, so the same structure can describe graphs with several inputs per node later.
// Errors are sticky: once a call fails, later calls do nothing and status() returns the first
// error, so a chain of calls needs one check. Fixed capacity, no heap: it builds on the device.
#pragma once
#include <stdint.h>

#include "core/status.h"
#include "core/tensor.h"
#include "layers/activation.h"
#include "layers/linear.h"

namespace utrain {

enum class NodeKind : uint8_t { input, linear, activation };

constexpr const char* node_kind_name(NodeKind k) {
  return k == NodeKind::input ? "input" : k == NodeKind::linear ? "linear" : "activation";
}

struct Node {
  NodeKind kind = NodeKind::input;
  int16_t input = -1;          // id of the node feeding this one (-1 for the input node)
  Shape sample;                // shape of one sample of this node's output (n = 1)
  LinearParams linear;         // kind == linear
  ActivationParams activation; // kind == activation
  bool frozen = false;         // no weight gradient, no update (its input gradient still flows)
};

class Model {
 public:
  static constexpr int kMaxNodes = 64;

  explicit Model(int32_t input_features);

  Model& linear(int32_t out_features, bool bias = true);
  Model& activation(Activation kind, float slope = kDefaultLeakySlope);
  Model& relu() { return activation(Activation::relu); }
  Model& leaky_relu(float slope = kDefaultLeakySlope) { return activation(Activation::leaky_relu, slope); }
  Model& sigmoid() { return activation(Activation::sigmoid); }
  Model& tanh() { return activation(Activation::tanh); }
  // Freezes the most recently added layer: its parameters get no gradient and no update.
  Model& freeze();

  Status status() const { return status_; }
  int node_count() const { return count_; }
  const Node& node(int id) const { return nodes_[id]; }
  int output_node() const { return count_ - 1; }
  int32_t input_features() const { return static_cast<int32_t>(nodes_[0].sample.per_sample()); }
  int32_t output_features() const { return static_cast<int32_t>(nodes_[count_ - 1].sample.per_sample()); }
  // Multiply-accumulates of one forward pass of one sample.
  int64_t forward_macs() const;

 private:
  Node* append(NodeKind kind);

  Node nodes_[kMaxNodes];
  int count_ = 0;
  Status status_;
};

}  // namespace utrain
