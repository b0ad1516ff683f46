// How start.S hands work to a secondary hart, shared by the assembly and the C++ side.
//
// After reset every hart other than 0 sleeps in start.S until its launch record names an entry
// function. It then runs entry(hart, argument) on the stack the record gives, and when the entry
// returns it sleeps again. The entry must clear the record (store a null entry, with release
// order) before it returns, or the hart would start it again. A writer fills the argument and
// the stack before it stores the entry (release), then wakes the hart with its CLINT msip bit.
#pragma once

#define UTRAIN_RV32_MAX_HARTS 8  // harts with a launch record; others sleep for good
#define UTRAIN_RV32_LAUNCH_RECORD_BYTES 16
#define UTRAIN_RV32_LAUNCH_ARGUMENT 4  // byte offsets in a record
#define UTRAIN_RV32_LAUNCH_STACK 8
#define UTRAIN_RV32_CLINT_MSIP 0x02000000  // qemu virt: one 32-bit software-interrupt word per hart

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

namespace utrain::rv32 {

using HartEntry = void (*)(uint32_t hart, void* argument);

struct alignas(UTRAIN_RV32_LAUNCH_RECORD_BYTES) HartLaunch {
  HartEntry entry;
  void* argument;
  uintptr_t stack_top;
};
static_assert(sizeof(HartLaunch) == UTRAIN_RV32_LAUNCH_RECORD_BYTES);
static_assert(offsetof(HartLaunch, argument) == UTRAIN_RV32_LAUNCH_ARGUMENT);
static_assert(offsetof(HartLaunch, stack_top) == UTRAIN_RV32_LAUNCH_STACK);

constexpr int kMaxHarts = UTRAIN_RV32_MAX_HARTS;

}  // namespace utrain::rv32

extern "C" utrain::rv32::HartLaunch utrain_hart_launch[UTRAIN_RV32_MAX_HARTS];
#endif
