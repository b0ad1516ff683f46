// Instruction-set extensions a kernel may need. A kernel table entry names one; the dispatcher
// only offers entries whose ISA is in the running machine's IsaSet (CPUID on x86, fixed at build
// time on the device). The generic kernels need nothing and are always present. rv32_f names the
// kernels shaped for a scalar FPU with 32 single-precision registers, immediate-offset loads and
// a fused multiply-add (kernels/rv32/): RV32F, and the Cortex-M4F's FPU, which has the same.
#pragma once
#include <stdint.h>

namespace utrain {

enum class Isa : uint8_t { generic = 0, x86_avx2_fma = 1, x86_avx512f = 2, rv32_f = 3 };

constexpr const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::generic: return "generic";
    case Isa::x86_avx2_fma: return "avx2";
    case Isa::x86_avx512f: return "avx512";
    case Isa::rv32_f: return "rv32";
  }
  return "unknown";
}

class IsaSet {
 public:
  constexpr IsaSet() = default;
  static constexpr IsaSet generic_only() { return IsaSet(); }
  constexpr IsaSet with(Isa isa) const { return IsaSet(bits_ | bit(isa)); }
  constexpr bool has(Isa isa) const { return (bits_ & bit(isa)) != 0; }

 private:
  constexpr explicit IsaSet(uint32_t bits) : bits_(bits) {}
  static constexpr uint32_t bit(Isa isa) { return 1u << static_cast<uint32_t>(isa); }
  uint32_t bits_ = 1u;  // generic is always there
};

}  // namespace utrain
