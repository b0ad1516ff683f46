// The C++ runtime the device images need and the bare-metal toolchains do not give them (Debian
// ships no libsupc++ for riscv64-unknown-elf, and the images link no libstdc++ on any target).
// Only what the compiler itself calls: there is no operator new or delete, because nothing on
// the device allocates, and a reference to one fails the link.
#include <stdio.h>
#include <stdlib.h>

// The vtable of an abstract class points its pure virtual slots here; that vtable is emitted
// wherever the class has an out-of-line virtual function, so a reference appears with the first
// such class, whether or not the slot is ever reached (only through a half-built object).
extern "C" void __cxa_pure_virtual() {
  fputs("pure virtual function called\n", stderr);
  abort();
}
