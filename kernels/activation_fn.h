// Pointwise activation functions and their derivatives, shared by the matrix-multiply epilogue
// (fused activation) and the standalone activation layers, so both compute the same numbers.
//
// Every derivative is expressed through the activation's *output* y: a layer then keeps only its
// output for backward, which also lets a fused Linear+activation keep a single buffer.
// LeakyReLU's slope must be positive for that (its sign then follows the input's sign).
#pragma once
#include <math.h>

namespace utrain {

enum class Activation : unsigned char { none, relu, leaky_relu, sigmoid, tanh };

constexpr const char* activation_name(Activation a) {
  switch (a) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::leaky_relu: return "leaky_relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
  }
  return "unknown";
}

// PyTorch's default negative slope for LeakyReLU.
inline constexpr float kDefaultLeakySlope = 0.01f;

// x > 0 ? x : 0, in one instruction where the ISA has one: RISC-V's fmax.s gives +0 for -0 and
// the other operand for a NaN, exactly that, where GCC compiles the expression to a compare and a
// branch (3.5 instructions a value on random signs). Written as asm: GCC 12 calls the library's
// fmaxf for __builtin_fmaxf.
inline float relu(float x) {
#if defined(__riscv)
  float y;
  asm("fmax.s %0, %1, %2" : "=f"(y) : "f"(x), "f"(0.0f));
  return y;
#else
  return x > 0.0f ? x : 0.0f;
#endif
}

inline float activate(Activation a, float x, float slope) {
  switch (a) {
    case Activation::none: return x;
    case Activation::relu: return relu(x);
    case Activation::leaky_relu: return x > 0.0f ? x : x * slope;
    case Activation::sigmoid: return 1.0f / (1.0f + expf(-x));
    case Activation::tanh: return tanhf(x);
  }
  return x;
}

// d activate(x) / dx, written in terms of y = activate(x).
inline float activation_slope_from_output(Activation a, float y, float slope) {
  switch (a) {
    case Activation::none: return 1.0f;
    case Activation::relu: return y > 0.0f ? 1.0f : 0.0f;
    case Activation::leaky_relu: return y > 0.0f ? 1.0f : slope;
    case Activation::sigmoid: return y * (1.0f - y);
    case Activation::tanh: return 1.0f - y * y;
  }
  return 1.0f;
}

}  // namespace utrain
