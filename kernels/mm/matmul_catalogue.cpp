// The kernel table, generated at compile time from one list of tile shapes: every shape is
// instantiated for the four operand transpositions and both parallel axes. Adding a variant is
// adding one row to kGenericTiles.
#include <string.h>

#include "kernels/generic/matmul_generic.h"
#include "kernels/mm/matmul_kernel.h"

namespace utrain {

namespace {

struct TileShape {
  uint8_t mr, nr, ku;
};

// PULP-TrainLib's twelve (naive, K-unrolled, and ten register tiles), then K-unrolled and wider
// tiles that suit hosts with SIMD (the compiler vectorizes along K in the dot form and along N or
// M in the outer form) and cores with 32 FP registers.
constexpr TileShape kGenericTiles[] = {
    {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 4, 1}, {1, 8, 1}, {2, 1, 1}, {4, 1, 1}, {8, 1, 1},
    {2, 2, 1}, {2, 4, 1}, {4, 2, 1}, {4, 4, 1},
    {1, 1, 8}, {1, 4, 4}, {1, 8, 4}, {4, 1, 4}, {8, 1, 4}, {2, 2, 4}, {2, 4, 2}, {4, 2, 2},
    {4, 4, 2}, {1, 16, 1}, {4, 8, 1}, {4, 16, 1}, {8, 4, 1}, {16, 1, 1}, {16, 4, 1},
};
constexpr size_t kTileCount = sizeof(kGenericTiles) / sizeof(kGenericTiles[0]);
constexpr Trans kForms[4][2] = {
    {Trans::n, Trans::n}, {Trans::n, Trans::t}, {Trans::t, Trans::n}, {Trans::t, Trans::t}};
constexpr size_t kGenericCount = 4 * kTileCount * 2;

// Entry `index` enumerates (form, tile, axis) with the axis fastest.
struct EntryKey {
  Trans ta, tb;
  TileShape tile;
  ParAxis axis;
};
constexpr EntryKey key_of(size_t index) {
  const size_t form = index / (kTileCount * 2);
  const size_t tile = (index / 2) % kTileCount;
  return EntryKey{kForms[form][0], kForms[form][1], kGenericTiles[tile],
                  index % 2 == 0 ? ParAxis::m : ParAxis::n};
}

struct KernelName {
  char text[40] = {};
};

constexpr KernelName name_of(const EntryKey& key) {
  KernelName name;
  size_t len = 0;
  auto put = [&](const char* s) {
    while (*s != '\0') name.text[len++] = *s++;
  };
  auto put_number = [&](unsigned v) {
    if (v >= 10) name.text[len++] = static_cast<char>('0' + v / 10);
    name.text[len++] = static_cast<char>('0' + v % 10);
  };
  put("mm_f32_");
  put(key.ta == Trans::n ? "n" : "t");
  put(key.tb == Trans::n ? "_n_" : "_t_");
  put_number(key.tile.mr);
  put("x");
  put_number(key.tile.nr);
  put("_u");
  put_number(key.tile.ku);
  put(key.axis == ParAxis::m ? "_par_m" : "_par_n");
  return name;
}

template <size_t I>
constexpr KernelName kName = name_of(key_of(I));

template <size_t I>
constexpr MatMulKernel make_entry() {
  constexpr EntryKey k = key_of(I);
  return MatMulKernel{kName<I>.text, k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku, k.axis,
                      Isa::generic,
                      &generic::matmul<k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku, k.axis>};
}

template <size_t... I>
struct GenericTable {
  static constexpr MatMulKernel entries[] = {make_entry<I>()...};
};

// GCC's __integer_pack expands 0 .. N-1 (what std::make_index_sequence uses; no <utility> here).
template <size_t N>
using TableOf = GenericTable<__integer_pack(N)...>;
using Table = TableOf<kGenericCount>;

}  // namespace

MatMulKernelList matmul_kernels() { return MatMulKernelList{Table::entries, kGenericCount}; }

const MatMulKernel* find_matmul_kernel(const char* name) {
  for (const MatMulKernel& k : matmul_kernels())
    if (strcmp(k.name, name) == 0) return &k;
  return nullptr;
}

}  // namespace utrain
