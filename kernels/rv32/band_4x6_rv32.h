// The full tiles of a row band in hand-written RV32F code (band_4x6_rv32.S): 4 rows, 6 columns
// and then 5, used by the rv32 kernels' 4×6 entries whose B is read along the tile (n_n: a CHW
// convolution's forward, t_n: an input gradient) or from column panels (n_n). Narrower columns
// stay in matmul_rv32.h's C++.
#pragma once
#include <stdint.h>

namespace utrain::rv32 {

// Whether this build has the hand-written bands: an RV32 build with single-precision FP
// registers. Elsewhere the C++ tiles do all the work.
#if defined(__riscv) && __riscv_xlen == 32 && defined(__riscv_flen) && __riscv_flen == 32
constexpr bool kHasHandWrittenBands = true;
#else
constexpr bool kHasHandWrittenBands = false;
#endif

// The arguments, laid out as band_4x6_rv32.S reads them (ARG_*). Strides are in bytes.
struct Band4x6Args {
  const float* a;       // A at the first band's row 0 and k 0, or its packed panel (pack_panel<4>)
  int32_t lda_bytes;    // between A's rows (along K) or between its k (along the tile)
  const float* b;       // B at k 0 and the first tile's column (in panels: the first tile's panel)
  int32_t ldb_bytes;    // between B's k (not read with B in panels)
  float* c;             // C at the first band's row 0 and the first tile's column
  int32_t ldc_bytes;
  int32_t k;            // at least 1
  int32_t tiles_6;      // how many 6-wide tiles, side by side,
  int32_t tiles_5;      // then how many 5-wide ones
  const float* bias;    // the band's 4 row biases the sums start from, or null: from the products
  int32_t accumulate;   // nonzero: the sums are added to C
  int32_t bands;        // bands of 4 rows, one under the other (A packed: one, its panel)
};

// How the band's A is read (the .S file's `reach`).
enum class BandA : uint8_t { along_k, packed, along_tile };

extern "C" {
void utrain_rv32_band_4x6_along_k(const Band4x6Args* args);
void utrain_rv32_band_4x6_packed(const Band4x6Args* args);
void utrain_rv32_band_4x6_along_tile(const Band4x6Args* args);
void utrain_rv32_band_4x6_along_k_b_panels(const Band4x6Args* args);
}

// Only instantiated where kHasHandWrittenBands (the functions exist on RV32 alone). B is read
// along the tile, or from column panels (kernels/mm/matmul_b_panels.h; with A along K only).
template <BandA A>
inline void run_hand_written_band(const Band4x6Args& args, bool b_panels) {
  if constexpr (A == BandA::along_k) (b_panels ? utrain_rv32_band_4x6_along_k_b_panels : utrain_rv32_band_4x6_along_k)(&args);
  if constexpr (A == BandA::packed) utrain_rv32_band_4x6_packed(&args);
  if constexpr (A == BandA::along_tile) utrain_rv32_band_4x6_along_tile(&args);
}

}  // namespace utrain::rv32
