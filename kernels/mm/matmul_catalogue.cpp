// The kernel table, generated at compile time from two lists of tile shapes: every generic shape
// is instantiated for the four operand transpositions and both parallel axes, every rv32 shape
// for the three transpositions the layer steps use (t_t only serves column vectors, which the
// generic kernels handle) and both axes. Adding a variant is adding one row to a list.
//
// Built with UTRAIN_LEAN_MATMUL_TABLE (CMake option of the same name), the generic list is cut to
// the naive tile and the tiles the default choice names: a device image then links 56 generic
// entries instead of 216 (the autotuner and the kernel benchmark see only those).
#include <string.h>

#include "kernels/generic/matmul_generic.h"
#include "kernels/mm/matmul_default_rules.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/rv32/matmul_rv32.h"

namespace utrain {

namespace {

struct TileShape {
  uint8_t mr, nr, ku;
};

// PULP-TrainLib's twelve (naive, K-unrolled, and ten register tiles), then K-unrolled and wider
// tiles that suit hosts with SIMD (the compiler vectorizes along K in the dot form and along N or
// M in the outer form) and cores with 32 FP registers.
constexpr TileShape kAllGenericTiles[] = {
    {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 4, 1}, {1, 8, 1}, {2, 1, 1}, {4, 1, 1}, {8, 1, 1},
    {2, 2, 1}, {2, 4, 1}, {4, 2, 1}, {4, 4, 1},
    {1, 1, 8}, {1, 4, 4}, {1, 8, 4}, {4, 1, 4}, {8, 1, 4}, {2, 2, 4}, {2, 4, 2}, {4, 2, 2},
    {4, 4, 2}, {1, 16, 1}, {4, 8, 1}, {4, 16, 1}, {8, 4, 1}, {16, 1, 1}, {16, 4, 1},
};
constexpr size_t kAllGenericCount = sizeof(kAllGenericTiles) / sizeof(kAllGenericTiles[0]);

struct TileList {
  TileShape tiles[kAllGenericCount];
  size_t count = 0;
};

// The generic tiles of this build: all of them, or (lean) those of kAllGenericTiles that are the
// naive tile or named by a default rule, in the same order.
constexpr TileList generic_tiles(bool lean) {
  TileList list{};
  for (const TileShape& t : kAllGenericTiles) {
    bool keep = !lean || (t.mr == 1 && t.nr == 1 && t.ku == 1);
    for (const DefaultRule& rule : kDefaultRules) keep = keep || (t.mr == rule.mr && t.nr == rule.nr && t.ku == rule.ku);
    if (keep) list.tiles[list.count++] = t;
  }
  return list;
}

#ifdef UTRAIN_LEAN_MATMUL_TABLE
constexpr TileList kGenericTiles = generic_tiles(true);
#else
constexpr TileList kGenericTiles = generic_tiles(false);
#endif
constexpr size_t kTileCount = kGenericTiles.count;

// Register tiles for a scalar core with 32 FP registers (kernels/rv32/matmul_rv32.h): the
// 24-sum tiles for matrices (the tile's better side depends on the shape and the split) with K
// unrolled 16 times (1-2% faster than 8 on every conv step, even at K = 16), and 16-wide vector
// tiles for batch-1 Linear steps, with K unrolled 8 or 32 times (32 amortises the forward's 17
// pointer steps per block: 0.448 -> 0.455 MAC/instr at K = 128 against 16; 8 keeps short K
// cheaper). Outer products (K = 1) run the same loops whatever the tile (outer_product_rv32.h).
constexpr TileShape kRv32Tiles[] = {{6, 4, 16}, {4, 6, 16}, {1, 16, 8}, {16, 1, 8}, {1, 16, 32}, {16, 1, 32}};
constexpr size_t kRv32TileCount = sizeof(kRv32Tiles) / sizeof(kRv32Tiles[0]);

// t_t last: the rv32 kernels take the first kRv32FormCount forms.
constexpr Trans kForms[4][2] = {
    {Trans::n, Trans::n}, {Trans::n, Trans::t}, {Trans::t, Trans::n}, {Trans::t, Trans::t}};
constexpr size_t kRv32FormCount = 3;
constexpr size_t kGenericCount = 4 * kTileCount * 2;
constexpr size_t kRv32Count = kRv32FormCount * kRv32TileCount * 2;
constexpr size_t kKernelCount = kGenericCount + kRv32Count;

// Entries enumerate (isa, form, tile, axis) with the axis fastest: the generic ones first.
struct EntryKey {
  Trans ta, tb;
  TileShape tile;
  ParAxis axis;
  Isa isa;
};
constexpr EntryKey key_of(size_t index) {
  const bool generic = index < kGenericCount;
  const size_t local = generic ? index : index - kGenericCount;
  const size_t tiles = generic ? kTileCount : kRv32TileCount;
  const size_t form = local / (tiles * 2);
  const size_t tile = (local / 2) % tiles;
  return EntryKey{kForms[form][0], kForms[form][1], generic ? kGenericTiles.tiles[tile] : kRv32Tiles[tile],
                  local % 2 == 0 ? ParAxis::m : ParAxis::n, generic ? Isa::generic : Isa::rv32_f};
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
  if (key.isa != Isa::generic) {
    put("__");
    put(isa_name(key.isa));
  }
  return name;
}

template <size_t I>
constexpr KernelName kName = name_of(key_of(I));

// Only the entry's own family is instantiated for its tile.
template <size_t I>
constexpr MatMulFn function_of() {
  constexpr EntryKey k = key_of(I);
  if constexpr (k.isa == Isa::generic)
    return &generic::matmul<k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku, k.axis>;
  else
    return &rv32::matmul<k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku, k.axis>;
}

template <size_t I>
constexpr MatMulKernel make_entry() {
  constexpr EntryKey k = key_of(I);
  const bool reads_b_panels = k.isa == Isa::rv32_f && rv32::reads_b_panels(k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku);
  return MatMulKernel{kName<I>.text, k.ta, k.tb, k.tile.mr, k.tile.nr, k.tile.ku, k.axis, k.isa, function_of<I>(),
                      reads_b_panels};
}

template <size_t... I>
struct GenericTable {
  static constexpr MatMulKernel entries[] = {make_entry<I>()...};
};

// GCC's __integer_pack expands 0 .. N-1 (what std::make_index_sequence uses; no <utility> here).
template <size_t N>
using TableOf = GenericTable<__integer_pack(N)...>;
using Table = TableOf<kKernelCount>;

}  // namespace

MatMulKernelList matmul_kernels() { return MatMulKernelList{Table::entries, kKernelCount}; }

const MatMulKernel* find_matmul_kernel(const char* name) {
  for (const MatMulKernel& k : matmul_kernels())
    if (strcmp(k.name, name) == 0) return &k;
  return nullptr;
}

}  // namespace utrain
