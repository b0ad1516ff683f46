# Bare-metal RISC-V rv32imfc: one PULP-like core, run as one hart of qemu-system-riscv32 -M virt.
# Debian has no rv32imfc multilib; -march=rv32imfc falls back to rv32imf/ilp32f, which is what
# we want (the C extension only changes code size). Adding _zicsr to -march would break that
# fallback, so code that reads CSRs enables Zicsr locally (.option arch, +zicsr).
set(UTRAIN_TOOLCHAIN_PREFIX riscv64-unknown-elf-)
set(UTRAIN_TARGET_FLAGS "-march=rv32imfc -mabi=ilp32f")
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(UTRAIN_DEVICE rv32)
set(UTRAIN_DEVICE_HARTS 1)
include(${CMAKE_CURRENT_LIST_DIR}/../bare_metal_toolchain.cmake)
