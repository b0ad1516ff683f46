#include "targets/host/cpu_features.h"

namespace utrain {

IsaSet host_isas() {
  static const IsaSet isas = [] {
    IsaSet s;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) s = s.with(Isa::x86_avx2_fma);
    if (__builtin_cpu_supports("avx512f")) s = s.with(Isa::x86_avx512f);
#endif
    return s;
  }();
  return isas;
}

}  // namespace utrain
