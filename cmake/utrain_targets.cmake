# Helpers shared by every CMakeLists.txt of the project.

# Warnings are errors for project code (not for third-party headers).
function(utrain_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Werror)
endfunction()

# A freestanding library: no exceptions, no RTTI and no C++ standard headers, so what builds
# here also builds with riscv64-unknown-elf-g++, which ships none. -nostdinc++ makes the host
# build refuse <vector> and friends too, so STL cannot slip in unnoticed between cross builds.
# -fno-math-errno: nothing reads errno, and setting it keeps sqrtf/expf loops from vectorizing.
function(utrain_freestanding_library name)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  utrain_freestanding_options(${name})
endfunction()

# The same rules for any other target whose C++ must build on the device: start-up code, device
# test programs (also when they are built for the host).
function(utrain_freestanding_options target)
  target_compile_options(${target} PRIVATE
                         $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -nostdinc++ -fno-math-errno>)
  utrain_warnings(${target})
endfunction()
