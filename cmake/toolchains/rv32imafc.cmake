# Bare-metal RISC-V rv32imafc with 8 harts: the PULP cluster, run as qemu-system-riscv32 -M virt
# -smp 8. The A extension gives the hart team its atomics (fork/join, barrier).
set(UTRAIN_TOOLCHAIN_PREFIX riscv64-unknown-elf-)
set(UTRAIN_TARGET_FLAGS "-march=rv32imafc -mabi=ilp32f")
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(UTRAIN_DEVICE rv32)
set(UTRAIN_DEVICE_HARTS 8)
include(${CMAKE_CURRENT_LIST_DIR}/../bare_metal_toolchain.cmake)
