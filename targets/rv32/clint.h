// The core-local interruptor of qemu virt (SiFive CLINT layout): a software-interrupt word per
// hart, which the hart team uses to wake a sleeping hart, and the machine timer, which bounds
// how long hart 0 waits for harts that may not exist (-smp smaller than the team).
#pragma once
#include <stdint.h>

#include "targets/rv32/hart_launch.h"

namespace utrain::rv32 {

constexpr uint32_t kMtimeHz = 10000000;  // qemu virt's timebase

inline volatile uint32_t& msip(uint32_t hart) {
  return reinterpret_cast<volatile uint32_t*>(UTRAIN_RV32_CLINT_MSIP)[hart];
}

// mtime, the 64-bit machine timer, read as two halves.
inline uint64_t mtime() {
  volatile uint32_t* const word = reinterpret_cast<volatile uint32_t*>(0x0200BFF8u);
  uint32_t high, low;
  do {  // retry if the low half wrapped between the reads
    high = word[1];
    low = word[0];
  } while (word[1] != high);
  return (static_cast<uint64_t>(high) << 32) | low;
}

// Sets the hart's timer compare: its timer interrupt is pending while mtime >= `when`.
inline void set_timer(uint32_t hart, uint64_t when) {
  volatile uint32_t* const word = reinterpret_cast<volatile uint32_t*>(0x02004000u + 8u * hart);
  word[1] = 0xFFFFFFFFu;  // no moment between the two stores may fall before `when`
  word[0] = static_cast<uint32_t>(when);
  word[1] = static_cast<uint32_t>(when >> 32);
}

}  // namespace utrain::rv32
