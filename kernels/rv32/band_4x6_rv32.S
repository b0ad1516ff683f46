// The register tiles of bands of 4 rows (matmul_rv32.h: block, row_band), 6 columns wide and
// then 5 wide, written by hand for RV32F. GCC's code for the same tiles spends 45-70
// instructions a tile on set-up, the rest of K and C's pointers; ResNet8's short-K products
// (K = 16 .. 64) have about 25 to spare at 0.65 MAC per instruction. Here a tile costs its
// 5·width + 5 instructions per k (one more along the tile), its stores and about 10 more:
//  - the first k starts the sums (the products, or the products plus the row's bias), so the
//    sums are never zeroed;
//  - the other K - 1 steps run in blocks of 32, the first block entered part-way (a jump into
//    its code, every step the same size) so that no rest loop exists and K <= 33 is one block;
//    A's pointers start that many steps back, so every load keeps its immediate offset;
//  - what depends only on K (the jumps, where A's pointers end) is worked out once per call, and
//    a call runs all the bands of a block (the set-up and the saved registers, about 120
//    instructions a call, were 1% of ResNet8's 64 x 64 x 32 forward); with A packed, one band,
//    as each band's panel is packed before its call;
//  - A's pointers are reset by a tile only where it moves them (along the tile, or over more
//    than one block): with K <= 33 a tile goes from its first step straight into its block.
// Per k: 4 values of A, then for each column one value of B (along the tile: B's row k, `ldb`
// bytes after row k - 1) and 4 fused multiply-adds. Per k a tile costs 5 + 5·width whatever its
// width, so a band whose width is not a multiple of 6 ends in 5-wide tiles (6 - width % 6 of
// them, matmul_rv32.h) rather than one narrow tile in C++. With B in column panels
// (kernels/mm/matmul_b_panels.h, the _b_panels function: A along K), a tile's panel holds its
// columns of every k together, so step u of a block reads row u of it at an immediate offset
// and B's pointer moves once a block: 4 + 5·width per k. A is reached one of three ways:
//  - along_k: A not transposed, each of the 4 rows its own pointer, offsets 4·u in a block;
//  - packed: a panel holding the band's 4 values of every k together (pack_panel), offsets 16·u;
//  - along_tile: A transposed, the 4 values of a k together, the pointer a row further each k.
// Registers: the sums in f0-f23 (row r, column c: f(width·r + c)), A's values in f24-f27, B's
// in f28 (the first step holds B's values in f26-f31, a row's A value and bias in f24, f25).
//
// void utrain_rv32_band_4x6_<reach>(const utrain::rv32::Band4x6Args*) and
// utrain_rv32_band_4x6_along_k_b_panels, the arguments as band_4x6_rv32.h lays them out.

#define ARG_A 0
#define ARG_LDA 4
#define ARG_B 8
#define ARG_LDB 12
#define ARG_C 16
#define ARG_LDC 20
#define ARG_K 24
#define ARG_TILES_6 28
#define ARG_TILES_5 32
#define ARG_BIAS 36
#define ARG_ACCUMULATE 40
#define ARG_BANDS 44

#define BLOCK 32
#define FRAME 128
// Frame slots of ENTRY and RESUME for each width, and with B in panels of B_STEP - B_TILE at k 1
// and a panel's bytes (assembler symbols: the macros paste the width into their names).
	.equ	ENTRY_6_AT, 96
	.equ	RESUME_6_AT, 100
	.equ	ENTRY_5_AT, 104
	.equ	RESUME_5_AT, 108
	.equ	B_SHIFT_6_AT, 112
	.equ	B_SHIFT_5_AT, 116
	.equ	PANEL_6_AT, 120
	.equ	PANEL_5_AT, 124

// Integer registers. A's pointers: s0-s3 where the band's rows (or the panel, or A's first row)
// start, t0-t3 as the tile reads them; s1 holds lda when A is along the tile.
#define A_LAST s4     // t0 at the start of the tile's last block (along the tile: at its end)
#define ENTRY s5      // where the current width's tiles enter their first block
#define ACCUMULATE s6
#define A_SHIFT s7    // t0 - s0 at the first block's entry
#define RESUME s8     // where a tile goes after its first step: ENTRY, or resetting A's pointers first
#define B_END_5 s9    // B_TILE after the last 5-wide tile
#define BANDS_LEFT s10
#define C_BAND s11    // C at the band's row 0 and first tile
#define B_STEP t4     // B's row for the current k
#define B_TILE t5     // B's row 0 at the tile
#define LDB t6           // B along the tile: between B's k; from panels: B_STEP - B_TILE at k 1
#define C_TILE a1
#define LDC a2
#define BIAS a6
#define B_END_6 a7    // B_TILE after the last 6-wide tile

	.text

// Calls `macro c, s, b, args` for each column c of row r of a `width`-wide tile, with the
// register numbers of its sum (s = width·r + c) and of B's value in the first step (b = 26 + c).
.macro for_columns macro, width, r, args:vararg
	.altmacro
	.irp c, 0, 1, 2, 3, 4, 5
	.if \c < \width
	\macro \c, %(\width * \r + \c), %(26 + \c), \args
	.endif
	.endr
	.noaltmacro
.endm

// Column c of B at the current k: its value, times the 4 values of A, into the column's sums.
// From panels, step u of a block reads its k's row of the panel, u rows on from B_STEP.
.macro multiply_column c, s, b, width, u, panels
	.if \panels
	flw	f28, (\u*\width + \c)*4(B_STEP)
	.else
	flw	f28, \c*4(B_STEP)
	.endif
	multiply_sum \s, 24
	multiply_sum %(\s + \width), 25
	multiply_sum %(\s + 2 * \width), 26
	multiply_sum %(\s + 3 * \width), 27
.endm
.macro multiply_sum s, a
	fmadd.s	f\s, f\a, f28, f\s
.endm

// The columns of one k, then (B along the tile) B's row of the next k.
.macro multiply_columns width, u, panels
	for_columns multiply_column, \width, 0, \width, \u, \panels
	.if !\panels
	add	B_STEP, B_STEP, LDB
	.endif
.endm

// Unrolled step u of a block: A's 4 values, then the columns. All 4-byte instructions in a block
// (.option norvc), so step u starts at u times the step's size (step_bytes).
.macro step reach, width, u, panels
	.ifc \reach, along_k
	flw	f24, \u*4(t0)
	flw	f25, \u*4(t1)
	flw	f26, \u*4(t2)
	flw	f27, \u*4(t3)
	.endif
	.ifc \reach, packed
	flw	f24, \u*16(t0)
	flw	f25, \u*16+4(t0)
	flw	f26, \u*16+8(t0)
	flw	f27, \u*16+12(t0)
	.endif
	.ifc \reach, along_tile
	flw	f24, 0(t0)
	flw	f25, 4(t0)
	flw	f26, 8(t0)
	flw	f27, 12(t0)
	add	t0, t0, s1
	.endif
	multiply_columns \width, \u, \panels
.endm

// Row r of the first step: A's value (at `a`) times B's values in f26-f31, plus the row's bias
// or not.
.macro start_row_bias width, r, a
	flw	f24, \a
	flw	f25, \r*4(BIAS)
	for_columns start_sum_bias, \width, \r
.endm
.macro start_sum_bias c, s, b
	fmadd.s	f\s, f24, f\b, f25
.endm
.macro start_row_product width, r, a
	flw	f24, \a
	for_columns start_sum_product, \width, \r
.endm
.macro start_sum_product c, s, b
	fmul.s	f\s, f24, f\b
.endm

// A's pointers where the first block is entered. Along the tile the pointer moves every step, so
// every tile resets it; the others move only between blocks, so with one block (K <= 33) they are
// set once per band and a tile resumes straight into its block.
.macro reset_a reach
	.ifc \reach, along_k
	add	t0, s0, A_SHIFT
	add	t1, s1, A_SHIFT
	add	t2, s2, A_SHIFT
	add	t3, s3, A_SHIFT
	.endif
	.ifc \reach, packed
	add	t0, s0, A_SHIFT
	.endif
	.ifc \reach, along_tile
	add	t0, s0, s1
	.endif
.endm

// After the first step: along the tile, A's pointer is reset and the block entered; otherwise
// the tile goes on at RESUME (reset_a).
.macro resume reach
	.ifc \reach, along_tile
	reset_a \reach
	jr	ENTRY
	.else
	jr	RESUME
	.endif
.endm

.macro load_first_b c, s, b
	flw	f\b, \c*4(B_TILE)
.endm

// The first step (k 0) of the tile at B_TILE: the sums start at its products, plus the rows'
// bias when BIAS is not null; B_STEP then points at k 1 (from panels, `skip` rows back, so that
// the first block's step u reads its row: LDB holds that shift).
.macro first_step name, reach, width, a0, a1, a2, a3
	for_columns load_first_b, \width, 0
	add	B_STEP, B_TILE, LDB
	beqz	BIAS, .L\name\()_\width\()_start_product
	start_row_bias \width, 0, \a0
	start_row_bias \width, 1, \a1
	start_row_bias \width, 2, \a2
	start_row_bias \width, 3, \a3
	resume \reach
.L\name\()_\width\()_start_product:
	start_row_product \width, 0, \a0
	start_row_product \width, 1, \a1
	start_row_product \width, 2, \a2
	start_row_product \width, 3, \a3
	resume \reach
.endm

// Row r of the sums into C at `row` (C overwritten), or added to it.
.macro store_row width, r, row
	for_columns store_sum, \width, \r, \row
.endm
.macro store_sum c, s, b, row
	fsw	f\s, \c*4(\row)
.endm
.macro accumulate_row width, r, row
	for_columns add_sum_to_c, \width, \r, \row
.endm
.macro add_sum_to_c c, s, b, row
	flw	f24, \c*4(\row)
	fadd.s	f24, f24, f\s
	fsw	f24, \c*4(\row)
.endm

// The bytes of one unrolled step: 4 + 5·width, and a pointer step for each operand along the tile.
.macro step_bytes reach, width, panels, out
	.ifc \reach, along_tile
	li	\out, (6 + 5 * \width) * 4
	.else
	li	\out, (5 - \panels + 5 * \width) * 4
	.endif
.endm

// Where a tile of `width` enters its first block, `skip` steps into it (t2), or the store when
// K = 1 (no blocks: t3 = 0); and where it resumes after its first step (reset_a): both into the
// frame. Uses a3 and a4.
.macro entry name, reach, width, panels
	la	a3, .L\name\()_\width\()_store
	beqz	t3, .L\name\()_\width\()_entry_set
	step_bytes \reach, \width, \panels, a4
	mul	a4, t2, a4
	la	a3, .L\name\()_\width\()_block
	add	a3, a3, a4
.L\name\()_\width\()_entry_set:
	sw	a3, ENTRY_\width\()_AT(sp)
	.ifnc \reach, along_tile
	li	a4, 1
	ble	t3, a4, .L\name\()_\width\()_resume_set
	la	a3, .L\name\()_\width\()_reset
.L\name\()_\width\()_resume_set:
	sw	a3, RESUME_\width\()_AT(sp)
	.endif
.endm

// The tiles of `width` from B_TILE up to `end`. The tile's start sits after the stores, so that
// the loop back over the block is a jump taken once per tile and every branch is short.
.macro tiles name, reach, width, end, panels
	beq	B_TILE, \end, .L\name\()_\width\()_done
	lw	ENTRY, ENTRY_\width\()_AT(sp)
	.if \panels
	lw	LDB, B_SHIFT_\width\()_AT(sp)
	.endif
	.ifnc \reach, along_tile
	lw	RESUME, RESUME_\width\()_AT(sp)
	.endif
	j	.L\name\()_\width\()_tile
	.option push
	.option norvc
.L\name\()_\width\()_block:
	.irp u, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	step \reach, \width, \u, \panels
	.endr
	.option pop
	beq	t0, A_LAST, .L\name\()_\width\()_store
	.ifc \reach, along_k
	addi	t0, t0, BLOCK*4
	addi	t1, t1, BLOCK*4
	addi	t2, t2, BLOCK*4
	addi	t3, t3, BLOCK*4
	.endif
	.ifc \reach, packed
	addi	t0, t0, BLOCK*16
	.endif
	.if \panels
	addi	B_STEP, B_STEP, BLOCK*4*\width
	.endif
	j	.L\name\()_\width\()_block

.L\name\()_\width\()_store:
	add	a3, C_TILE, LDC
	add	a4, a3, LDC
	add	a5, a4, LDC
	bnez	ACCUMULATE, .L\name\()_\width\()_accumulate
	store_row \width, 0, C_TILE
	store_row \width, 1, a3
	store_row \width, 2, a4
	store_row \width, 3, a5
.L\name\()_\width\()_next:
	addi	C_TILE, C_TILE, \width*4
	.if \panels
	lw	a3, PANEL_\width\()_AT(sp)
	add	B_TILE, B_TILE, a3
	.else
	addi	B_TILE, B_TILE, \width*4
	.endif
	beq	B_TILE, \end, .L\name\()_\width\()_done

.L\name\()_\width\()_tile:
	.ifc \reach, along_k
	first_step \name, \reach, \width, 0(s0), 0(s1), 0(s2), 0(s3)
	.else
	first_step \name, \reach, \width, 0(s0), 4(s0), 8(s0), 12(s0)
	.endif

	.ifnc \reach, along_tile
.L\name\()_\width\()_reset:
	reset_a \reach
	jr	ENTRY
	.endif

.L\name\()_\width\()_accumulate:
	accumulate_row \width, 0, C_TILE
	accumulate_row \width, 1, a3
	accumulate_row \width, 2, a4
	accumulate_row \width, 3, a5
	j	.L\name\()_\width\()_next
.L\name\()_\width\()_done:
.endm

.macro band_function name, reach, panels
	.globl	utrain_rv32_band_4x6_\name
	.type	utrain_rv32_band_4x6_\name, @function
	.p2align 2
utrain_rv32_band_4x6_\name:
	addi	sp, sp, -FRAME
	sw	s0, 0(sp)
	sw	s1, 4(sp)
	sw	s2, 8(sp)
	sw	s3, 12(sp)
	sw	s4, 16(sp)
	sw	s5, 20(sp)
	sw	s6, 24(sp)
	sw	s7, 28(sp)
	sw	s8, 32(sp)
	sw	s9, 36(sp)
	sw	s10, 40(sp)
	sw	s11, 44(sp)
	fsw	fs0, 48(sp)
	fsw	fs1, 52(sp)
	fsw	fs2, 56(sp)
	fsw	fs3, 60(sp)
	fsw	fs4, 64(sp)
	fsw	fs5, 68(sp)
	fsw	fs6, 72(sp)
	fsw	fs7, 76(sp)
	fsw	fs8, 80(sp)
	fsw	fs9, 84(sp)
	fsw	fs10, 88(sp)
	fsw	fs11, 92(sp)

	lw	s0, ARG_A(a0)
	lw	s1, ARG_LDA(a0)
	.ifc \reach, along_k
	lw	t0, ARG_LDA(a0)
	add	s1, s0, t0
	add	s2, s1, t0
	add	s3, s2, t0
	.endif
	lw	B_TILE, ARG_B(a0)
	lw	LDB, ARG_LDB(a0)
	lw	C_BAND, ARG_C(a0)
	lw	BANDS_LEFT, ARG_BANDS(a0)
	lw	LDC, ARG_LDC(a0)
	lw	BIAS, ARG_BIAS(a0)
	lw	ACCUMULATE, ARG_ACCUMULATE(a0)
	// Where the tiles of each width end: B a tile's columns on, or (panels) a panel's K rows.
	li	t0, 24
	li	t1, 20
	.if \panels
	lw	t2, ARG_K(a0)
	mul	t0, t0, t2
	mul	t1, t1, t2
	sw	t0, PANEL_6_AT(sp)
	sw	t1, PANEL_5_AT(sp)
	.endif
	lw	B_END_6, ARG_TILES_6(a0)
	mul	B_END_6, B_END_6, t0
	add	B_END_6, B_END_6, B_TILE
	lw	B_END_5, ARG_TILES_5(a0)
	mul	B_END_5, B_END_5, t1
	add	B_END_5, B_END_5, B_END_6

	// The K - 1 steps after the first: `blocks` blocks (t3), the first entered after `skip`
	// steps (t2).
	lw	t1, ARG_K(a0)
	addi	t1, t1, -1
	addi	t3, t1, BLOCK - 1
	srli	t3, t3, 5
	neg	t2, t1
	andi	t2, t2, BLOCK - 1
	entry \name, \reach, 6, \panels
	entry \name, \reach, 5, \panels
	.if \panels
	// B_STEP at k 1, `skip` steps back (a step reads its panel row u on): width·4·(1 - skip).
	li	t0, 1
	sub	t0, t0, t2
	li	t1, 24
	mul	t1, t1, t0
	sw	t1, B_SHIFT_6_AT(sp)
	li	t1, 20
	mul	t1, t1, t0
	sw	t1, B_SHIFT_5_AT(sp)
	.endif
	.ifc \reach, along_k
	// A's pointers start one step on and `skip` steps back; a block moves them 32 values.
	slli	t0, t2, 2
	li	A_SHIFT, 4
	sub	A_SHIFT, A_SHIFT, t0
	addi	t0, t3, -1
	slli	t0, t0, 7
	add	A_LAST, s0, A_SHIFT
	add	A_LAST, A_LAST, t0
	.endif
	.ifc \reach, packed
	slli	t0, t2, 4
	li	A_SHIFT, 16
	sub	A_SHIFT, A_SHIFT, t0
	addi	t0, t3, -1
	slli	t0, t0, 9
	add	A_LAST, s0, A_SHIFT
	add	A_LAST, A_LAST, t0
	.endif
	.ifc \reach, along_tile
	// The pointer moves a row every step and a block does not move it: it ends K rows on.
	addi	t0, t1, 1
	mul	t0, t0, s1
	add	A_LAST, s0, t0
	.endif

	beqz	BANDS_LEFT, .L\name\()_return
.L\name\()_band:
	mv	C_TILE, C_BAND
	lw	B_TILE, ARG_B(a0)
	reset_a \reach
	tiles \name, \reach, 6, B_END_6, \panels
	tiles \name, \reach, 5, B_END_5, \panels
	.ifnc \reach, packed
	addi	BANDS_LEFT, BANDS_LEFT, -1
	beqz	BANDS_LEFT, .L\name\()_return
	// The next band: C, A and the bias 4 rows on.
	slli	t0, LDC, 2
	add	C_BAND, C_BAND, t0
	beqz	BIAS, .L\name\()_no_bias
	addi	BIAS, BIAS, 16
.L\name\()_no_bias:
	.ifc \reach, along_k
	lw	t0, ARG_LDA(a0)
	slli	t0, t0, 2
	add	s0, s0, t0
	add	s1, s1, t0
	add	s2, s2, t0
	add	s3, s3, t0
	.endif
	.ifc \reach, along_tile
	li	t0, 16
	add	s0, s0, t0
	.endif
	add	A_LAST, A_LAST, t0
	j	.L\name\()_band
	.endif

.L\name\()_return:
	lw	s0, 0(sp)
	lw	s1, 4(sp)
	lw	s2, 8(sp)
	lw	s3, 12(sp)
	lw	s4, 16(sp)
	lw	s5, 20(sp)
	lw	s6, 24(sp)
	lw	s7, 28(sp)
	lw	s8, 32(sp)
	lw	s9, 36(sp)
	lw	s10, 40(sp)
	lw	s11, 44(sp)
	flw	fs0, 48(sp)
	flw	fs1, 52(sp)
	flw	fs2, 56(sp)
	flw	fs3, 60(sp)
	flw	fs4, 64(sp)
	flw	fs5, 68(sp)
	flw	fs6, 72(sp)
	flw	fs7, 76(sp)
	flw	fs8, 80(sp)
	flw	fs9, 84(sp)
	flw	fs10, 88(sp)
	flw	fs11, 92(sp)
	addi	sp, sp, FRAME
	ret
	.size	utrain_rv32_band_4x6_\name, . - utrain_rv32_band_4x6_\name
.endm

	band_function along_k, along_k, 0
	band_function packed, packed, 0
	band_function along_tile, along_tile, 0
	band_function along_k_b_panels, along_k, 1
