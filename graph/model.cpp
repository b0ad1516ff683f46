#include "graph/model.h"

namespace utrain {

Model::Model(int32_t input_features) {
  nodes_[0].kind = NodeKind::input;
  nodes_[0].sample = Shape{1, input_features, 1, 1};
  count_ = 1;
  if (input_features <= 0)
    status_ = Status::error(StatusCode::invalid_argument, "model: input features must be positive",
                            input_features, 1);
}

Node* Model::append(NodeKind kind) {
  if (!status_.ok()) return nullptr;
  if (count_ >= kMaxNodes) {
    status_ = Status::error(StatusCode::out_of_memory, "model: too many nodes", count_ + 1, kMaxNodes);
    return nullptr;
  }
  Node& node = nodes_[count_];
  node = Node{};
  node.kind = kind;
  node.input = static_cast<int16_t>(count_ - 1);
  node.sample = nodes_[count_ - 1].sample;
  ++count_;
  return &node;
}

Model& Model::linear(int32_t out_features, bool bias) {
  Node* node = append(NodeKind::linear);
  if (node == nullptr) return *this;
  node->linear.in_features = static_cast<int32_t>(nodes_[node->input].sample.per_sample());
  node->linear.out_features = out_features;
  node->linear.has_bias = bias;
  node->sample = Shape{1, out_features, 1, 1};
  if (out_features <= 0)
    status_ = Status::error(StatusCode::invalid_argument, "model: linear out_features must be positive",
                            out_features, 1);
  return *this;
}

Model& Model::activation(Activation kind, float slope) {
  Node* node = append(NodeKind::activation);
  if (node == nullptr) return *this;
  node->activation = ActivationParams{kind, slope};
  if (kind == Activation::leaky_relu && !(slope > 0.0f))
    status_ = Status::error(StatusCode::invalid_argument, "model: LeakyReLU slope must be positive");
  return *this;
}

Model& Model::freeze() {
  if (!status_.ok()) return *this;
  Node& last = nodes_[count_ - 1];
  if (last.kind != NodeKind::linear) {
    status_ = Status::error(StatusCode::invalid_argument,
                            "model: freeze() must follow a layer with parameters");
    return *this;
  }
  last.frozen = true;
  return *this;
}

int64_t Model::forward_macs() const {
  int64_t macs = 0;
  for (int i = 1; i < count_; ++i)
    if (nodes_[i].kind == NodeKind::linear) macs += linear_step_macs(nodes_[i].linear, 1);
  return macs;
}

}  // namespace utrain
