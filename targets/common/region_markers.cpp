#include "targets/common/region_markers.h"

// noipa: never inlined, cloned or folded into one function (their bodies would be identical),
// so each keeps its own address for the plugin to watch, and the caller keeps calling it.
extern "C" {
__attribute__((noipa, used)) void utrain_region_begin() { __asm__ volatile("" ::: "memory"); }
__attribute__((noipa, used)) void utrain_region_end() { __asm__ volatile("" ::: "memory"); }
}
