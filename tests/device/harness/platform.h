// What a device test program runs on. One implementation per kind of program, chosen by the
// build (tests/device/CMakeLists.txt):
//   host_platform.cpp    the host build of the device tests: a thread-pool team, the CPU's ISAs
//   serial_platform.cpp  one core (rv32imfc, Cortex-M4F): SerialTeam
//   hart_platform.cpp    the rv32imafc cluster: a HartTeam
#pragma once
#include "core/team.h"
#include "kernels/isa.h"

namespace utrain::device_test {

// A team of `members` members, or of fewer when the machine has fewer cores or harts.
Team& platform_team(int members);

// The instruction sets whose kernels this program may run.
IsaSet platform_isas();

}  // namespace utrain::device_test
