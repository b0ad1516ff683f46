// The instruction sets of the machine the host build is running on, read from CPUID once.
// The build itself targets baseline x86-64; faster kernels are chosen at run time from this.
#pragma once
#include "kernels/isa.h"

namespace utrain {

IsaSet host_isas();

}  // namespace utrain
