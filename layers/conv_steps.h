// The three steps of a convolution on a ConvShape (kernels/conv/conv_shape.h), by algorithm:
// what Conv2D runs, and what ConvTranspose2D runs with the roles of its steps exchanged. The
// layers check their own parameters and tensors, build the ConvShape and call these.
//
// Unlike Conv2D's public forward, the forward here can accumulate (y = act(y + conv + b)): a
// transposed convolution's input gradient is a convolution's forward and has `accumulate`.
//
// One function decides the algorithm (conv_step_algorithm) and one sizes the workspace from that
// decision; every run calls both, so a planner's size can never disagree with the run.
#pragma once
#include <stddef.h>

#include "core/layer_step.h"
#include "core/status.h"
#include "core/workspace.h"
#include "kernels/conv/conv_direct.h"
#include "kernels/conv/conv_shape.h"
#include "kernels/exec_context.h"
#include "layers/conv2d.h"

namespace utrain {

// `requested` unless it is automatic, pointwise on a shape that is not pointwise, or flipped where
// it does not apply (a step other than the input grad, or kernels/conv/conv_flip.h's
// conv_flip_applies is false); then the automatic rule. The automatic rule: pointwise where the
// shape allows, else direct where lowering does not pay, else flipped for an input grad where it
// applies and pays, else lowered (conv_steps.cpp says where and why).
ConvAlgorithm conv_step_algorithm(LayerStep step, const ConvShape& s, ConvAlgorithm requested);

// Whether a forward with that algorithm and kernel gathers col into column panels for its product
// (MatMulArgs::b_panels, kernels/mm/matmul_b_panels.h): lowered CHW, where the kernel reads them
// (the rv32 4×6 bands: 34 instructions per k of a tile instead of 35) and the gather writes them
// (im2col_panels: a 1×1 window without padding, the strided shortcuts), C in whole tiles of rows.
bool conv_forward_b_panels(const ConvShape& s, ConvAlgorithm algorithm, const MatMulKernel* kernel);

// Scratch bytes of a step with that algorithm: the lowered matrix for lowered, the flipped
// convolution's lowered dz followed by the rotated weight for flipped, 0 otherwise.
size_t conv_step_workspace_bytes(LayerStep step, const ConvShape& s, ConvAlgorithm requested);

// The steps, on dense tensors in s.layout. `workspace_subject` names the workspace in an
// out_of_memory error (e.g. "conv2d forward: workspace").
Status conv_step_forward(const ExecContext& ctx, const ConvShape& s, const float* x, const float* weight,
                         const ConvEpilogue& epilogue, float* y, Workspace ws, ConvChoice choice,
                         const char* workspace_subject);
Status conv_step_weight_grad(const ExecContext& ctx, const ConvShape& s, const float* x, const float* dz,
                             float* weight_grad, bool accumulate, Workspace ws, ConvChoice choice,
                             const char* workspace_subject);
Status conv_step_input_grad(const ExecContext& ctx, const ConvShape& s, const float* dz, const float* weight,
                            float* dx, bool accumulate, Workspace ws, ConvChoice choice,
                            const char* workspace_subject);

}  // namespace utrain
