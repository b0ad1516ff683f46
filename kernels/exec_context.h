// What every layer step needs to run a kernel: the team that runs it and the instruction sets
// the running machine has (the dispatcher only offers kernels whose ISA is in the set).
#pragma once
#include "core/team.h"
#include "kernels/isa.h"

namespace utrain {

struct ExecContext {
  Team* team = nullptr;
  IsaSet isas;
};

}  // namespace utrain
