// The C runtime set-up start.S runs on hart 0 before main(), in place of picolibc's crt0 (which
// would start every hart into main), and the report of a fault on any hart.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// Symbols of picolibc's linker script (picolibc.ld, included by qemu_virt.ld) and of picolibc.
extern "C" {
extern char __data_start[], __data_source[], __data_source_size[];
extern char __bss_start[], __bss_size[];
extern char __tls_base[];
void _set_tls(void* tls);
void __libc_init_array();
}

// Initialised data (thread-local data included) is loaded with the program image, zeroed data is
// not; hart 0's thread-local block is the linker's .tdata/.tbss itself.
extern "C" void utrain_init_c_runtime() {
  memcpy(__data_start, __data_source, reinterpret_cast<uintptr_t>(__data_source_size));
  memset(__bss_start, 0, reinterpret_cast<uintptr_t>(__bss_size));
  _set_tls(__tls_base);
  __libc_init_array();
}

// Exit status of a program ended by a fault, distinct from a test failure's 1.
constexpr int kTrapExitStatus = 3;

// A fault (illegal instruction, misaligned or bad access, ...) stops the whole program with a
// message rather than hanging it: the tests run under a timeout, and a hang says nothing.
extern "C" [[noreturn]] void utrain_report_trap(uint32_t hart, uint32_t cause, uint32_t pc, uint32_t value) {
  printf("trap on hart %lu: mcause=0x%08lx mepc=0x%08lx mtval=0x%08lx\n", static_cast<unsigned long>(hart),
         static_cast<unsigned long>(cause), static_cast<unsigned long>(pc),
         static_cast<unsigned long>(value));
  _exit(kTrapExitStatus);
}
