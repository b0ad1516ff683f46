// Element types a tensor may hold. Only fp32 has kernels today; fp16/bf16 are named so that
// tensor views, plans and files can already describe them and refuse them clearly.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace utrain {

enum class DType : uint8_t { f32, f16, bf16 };

constexpr size_t dtype_size(DType t) { return t == DType::f32 ? 4 : 2; }

constexpr const char* dtype_name(DType t) {
  return t == DType::f32 ? "f32" : t == DType::f16 ? "f16" : "bf16";
}

}  // namespace utrain
