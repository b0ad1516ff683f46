# Bare-metal Cortex-M4F with its single-precision FPU (hard-float ABI), the STM32L4 class, run as
# qemu-system-arm -M mps2-an386.
set(UTRAIN_TOOLCHAIN_PREFIX arm-none-eabi-)
set(UTRAIN_TARGET_FLAGS "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
set(CMAKE_SYSTEM_PROCESSOR arm)
set(UTRAIN_DEVICE cortex_m4)
set(UTRAIN_DEVICE_HARTS 1)
include(${CMAKE_CURRENT_LIST_DIR}/../bare_metal_toolchain.cmake)
