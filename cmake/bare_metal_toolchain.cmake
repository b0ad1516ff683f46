# What every bare-metal toolchain file (cmake/toolchains/*) shares: GCC with picolibc and
# semihosting, code and data in their own sections so the linker drops what no test uses.
# The including file sets UTRAIN_TOOLCHAIN_PREFIX, UTRAIN_TARGET_FLAGS (the -march/-mcpu and ABI
# flags, which also choose picolibc's multilib), CMAKE_SYSTEM_PROCESSOR, UTRAIN_DEVICE (the folder
# of targets/ with its start-up code) and UTRAIN_DEVICE_HARTS.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER ${UTRAIN_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${UTRAIN_TOOLCHAIN_PREFIX}g++)
set(CMAKE_ASM_COMPILER ${UTRAIN_TOOLCHAIN_PREFIX}gcc)

# picolibc's release build: the default one is built for size, and its memset and memcpy move a
# byte per 4 instructions, 16 per float (zeroing a 32×32 plane in col2im cost more than the
# input gradient's whole matrix product); the release ones move a word per 1.5.
set(utrain_bare_metal_flags
    "${UTRAIN_TARGET_FLAGS} --specs=picolibc.specs --picolibc-buildtype=release -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${utrain_bare_metal_flags}")
set(CMAKE_ASM_FLAGS_INIT "${utrain_bare_metal_flags}")
# No guards around local statics (there are no threads before main) and destructors through
# atexit(), so nothing needs the C++ ABI's __cxa_guard_* or __dso_handle.
set(CMAKE_CXX_FLAGS_INIT "${utrain_bare_metal_flags} -fno-threadsafe-statics -fno-use-cxa-atexit")
# Link with the C driver: g++ adds -lstdc++, which Debian does not ship for riscv64-unknown-elf,
# and the device code needs none of it on any target.
set(CMAKE_CXX_LINK_EXECUTABLE
    "${UTRAIN_TOOLCHAIN_PREFIX}gcc <FLAGS> <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(UTRAIN_FREESTANDING_ONLY ON CACHE BOOL "" FORCE)
set(UTRAIN_DEVICE ${UTRAIN_DEVICE} CACHE STRING "" FORCE)
set(UTRAIN_DEVICE_HARTS ${UTRAIN_DEVICE_HARTS} CACHE STRING "" FORCE)
