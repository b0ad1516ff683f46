// An element-wise loop unrolled eight times, for loops whose body is a handful of instructions.
//
// On rv32 a plain loop spends a pointer step per array and a branch on every element: for an SGD
// update (3 arrays, 7 instructions of work) or a ReLU (3 or 4) that is as much again. Unrolled,
// they are paid once per eight elements: SGD with momentum takes 7.5 instructions a parameter
// (8.0 unrolled four times: the Deep AutoEncoder's one-hart step 0.189 -> 0.196 MAC/instr).
// Sixteen gave 7.3 for more code again (the optimizer's 23 loops: 11 KB unrolled four times, 15
// KB eight, 23 KB sixteen). It is written out rather than left to `#pragma GCC unroll`: GCC's
// unroller copies the pointers once per copy of the body (seven pointer steps per four SGD
// elements instead of three), and counting blocks down rather than comparing an index with the
// end is what lets it keep only the pointers. On the host the bodies vectorize as one group, as
// the plain loop did.
#pragma once
#include <stddef.h>

namespace utrain {

// Calls body(i) for every i in [0, count), in increasing order.
template <class Body>
inline void for_each_unrolled(size_t count, const Body& body) {
  size_t i = 0;
  for (size_t blocks = count / 8; blocks != 0; --blocks, i += 8) {
    body(i);
    body(i + 1);
    body(i + 2);
    body(i + 3);
    body(i + 4);
    body(i + 5);
    body(i + 6);
    body(i + 7);
  }
  for (; i < count; ++i) body(i);
}

}  // namespace utrain
