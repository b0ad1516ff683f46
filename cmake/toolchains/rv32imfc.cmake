# Bare-metal RISC-V rv32imfc (one PULP-like core): Debian's riscv64-unknown-elf GCC with picolibc.
# Debian has no rv32imfc multilib; -march=rv32imfc falls back to rv32imf/ilp32f, which is what
# we want (the C extension only changes code size).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_FLAGS_INIT "-march=rv32imfc -mabi=ilp32f --specs=picolibc.specs -ffunction-sections -fdata-sections -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(UTRAIN_FREESTANDING_ONLY ON CACHE BOOL "" FORCE)
