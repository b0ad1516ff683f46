// Marks of a code region whose instructions are to be counted in QEMU. The instruction-count
// plugin (targets/qemu/instruction_count_plugin.c) is given the addresses of these two functions
// (from nm) and counts, per hart, what runs between a call of utrain_region_begin() and the next
// call of utrain_region_end() on the same hart. They do nothing else, so they build on the host
// too, where the same code runs unmeasured.
//
// Regions do not nest. On a team, mark the region on member 0 around team.run(): the plugin
// counts every hart while the region is open, which is how it sees the cluster's work.
#pragma once

extern "C" {
void utrain_region_begin();
void utrain_region_end();
}
