// A QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts the guest instructions every
// vCPU (hart) executes inside marked regions: from a call of utrain_region_begin() to the next
// call of utrain_region_end() on the same vCPU (targets/common/region_markers.h). While a region
// is open every vCPU is counted, so a region marked on member 0 around a team run shows each
// hart's share; the largest is the cluster's cycle count on single-issue cores.
//
//   qemu-system-riscv32 ... -d plugin -plugin PATH/libutrain_instruction_count.so,OPTIONS
//   OPTIONS: begin=0x80000abc,end=0x80000ac0[,mnemonics=on][,blocks=on]
//
// begin and end are the markers' addresses (nm). At exit it writes to QEMU's log (stderr with
// -d plugin), one line per region, then the whole run's total:
//   instruction_count: region 0: hart0=508712 max=508712 sum=508712
//   instruction_count: total=1234567
//   instruction_count: mnemonic fmadd.s 262144       (mnemonics=on: inside regions, top 25)
//   instruction_count: block 0x800d49d2 262144       (blocks=on: inside regions, top 40, by the
//                                                     instructions run there; for addr2line)
// Counts are exact under -icount, where QEMU runs the vCPUs in turn. With vCPUs in parallel
// threads (MTTCG) the other harts see a region open and close a little late or early, so their
// counts near the ends are approximate.
//
// QEMU counts per translated block: a block's instructions are added when it starts, which is
// exact unless a fault leaves a block early. Debian ships no qemu-plugin.h, so the few
// declarations used are written out here, as QEMU 7.2 defines them.
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);  // caller frees
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

enum { kMaxVcpus = 16, kMaxRegions = 4096, kMaxMnemonics = 1024, kMnemonicsShown = 25, kBlocksShown = 40 };

// What a translated block tells its execution callback.
enum { kOpensRegion = 1, kClosesRegion = 2 };
typedef struct Block {
  uint32_t instructions;
  uint32_t marker;      // kOpensRegion, kClosesRegion or 0
  uint64_t address;
  uint64_t run_in_regions;  // instructions, with blocks=on
  struct Block *next;       // every block translated, with blocks=on
  uint16_t mnemonic[];      // per instruction, with mnemonics=on
} Block;

static uint64_t begin_address = UINT64_MAX, end_address = UINT64_MAX;
static bool count_mnemonics;
static bool count_blocks;
static Block *all_blocks;  // with blocks=on
static pthread_mutex_t block_lock = PTHREAD_MUTEX_INITIALIZER;
static bool disassembly_starts_with_bytes;  // RISC-V: "fe842783 lw a5,-24(s0)"
static int vcpus = 1;

static uint64_t total[kMaxVcpus];
static uint64_t in_region[kMaxVcpus];
static bool region_open;  // written by the opening vCPU, read by all
static unsigned region_owner;
static uint64_t regions[kMaxRegions][kMaxVcpus];
static int region_count;
static int regions_dropped;  // closed after kMaxRegions were recorded

static pthread_mutex_t mnemonic_lock = PTHREAD_MUTEX_INITIALIZER;
static char *mnemonic_name[kMaxMnemonics];
static uint64_t mnemonic_count[kMaxMnemonics];
static int mnemonic_names;

// The number of the mnemonic of one disassembled instruction, added to the table when new. The
// table's last entry, "other", takes the mnemonics that no longer fit.
static uint16_t mnemonic_id(const char *disassembly) {
  const char *text = disassembly;
  if (disassembly_starts_with_bytes) {
    text += strcspn(text, " \t");
    text += strspn(text, " \t");
  }
  char name[32];
  size_t length = strcspn(text, " \t");
  if (length >= sizeof name) length = sizeof name - 1;
  memcpy(name, text, length);
  name[length] = '\0';

  pthread_mutex_lock(&mnemonic_lock);
  int id = 0;
  while (id < mnemonic_names && strcmp(mnemonic_name[id], name) != 0) ++id;
  if (id == mnemonic_names && mnemonic_names < kMaxMnemonics - 1) {
    mnemonic_name[mnemonic_names++] = strdup(name);
  } else if (id == mnemonic_names) {
    id = kMaxMnemonics - 1;
    if (mnemonic_names == kMaxMnemonics - 1) mnemonic_name[mnemonic_names++] = strdup("other");
  }
  pthread_mutex_unlock(&mnemonic_lock);
  return (uint16_t)id;
}

static void open_region(unsigned vcpu) {
  memset(in_region, 0, sizeof in_region);
  region_owner = vcpu;
  __atomic_store_n(&region_open, true, __ATOMIC_RELEASE);
}

static void close_region(void) {
  __atomic_store_n(&region_open, false, __ATOMIC_RELEASE);
  if (region_count == kMaxRegions) {
    ++regions_dropped;
    return;
  }
  memcpy(regions[region_count], in_region, sizeof in_region);
  ++region_count;
}

static void on_block(unsigned int vcpu, void *data) {
  const Block *block = data;
  if (vcpu >= kMaxVcpus) return;  // refused at install time
  const bool open = __atomic_load_n(&region_open, __ATOMIC_ACQUIRE);
  if (block->marker == kClosesRegion && open && vcpu == region_owner) close_region();
  if (block->marker == kOpensRegion && !open) open_region(vcpu);
  total[vcpu] += block->instructions;
  if (!__atomic_load_n(&region_open, __ATOMIC_ACQUIRE)) return;
  in_region[vcpu] += block->instructions;
  if (count_mnemonics)
    for (uint32_t i = 0; i < block->instructions; ++i)
      __atomic_fetch_add(&mnemonic_count[block->mnemonic[i]], 1, __ATOMIC_RELAXED);
  if (count_blocks) __atomic_fetch_add(&((Block *)data)->run_in_regions, block->instructions, __ATOMIC_RELAXED);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const size_t instructions = qemu_plugin_tb_n_insns(tb);
  // Kept for as long as QEMU may run the block, i.e. the whole run.
  Block *block = malloc(sizeof *block + (count_mnemonics ? instructions * sizeof(uint16_t) : 0));
  if (block == NULL) abort();
  block->instructions = (uint32_t)instructions;
  const uint64_t address = qemu_plugin_tb_vaddr(tb);
  block->address = address;
  block->run_in_regions = 0;
  if (count_blocks) {
    pthread_mutex_lock(&block_lock);
    block->next = all_blocks;
    all_blocks = block;
    pthread_mutex_unlock(&block_lock);
  }
  block->marker = address == begin_address ? kOpensRegion : address == end_address ? kClosesRegion : 0;
  if (count_mnemonics)
    for (size_t i = 0; i < instructions; ++i) {
      char *disassembly = qemu_plugin_insn_disas(qemu_plugin_tb_get_insn(tb, i));
      block->mnemonic[i] = mnemonic_id(disassembly);
      free(disassembly);
    }
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, block);
}

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *format, ...) {
  char line[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  qemu_plugin_outs(line);
}

static void report(qemu_plugin_id_t id, void *data) {
  (void)id;
  (void)data;
  for (int r = 0; r < region_count; ++r) {
    char line[1024];
    int used = snprintf(line, sizeof line, "instruction_count: region %d:", r);
    uint64_t max = 0, sum = 0;
    for (int v = 0; v < vcpus; ++v) {
      used += snprintf(line + used, sizeof line - (size_t)used, " hart%d=%" PRIu64, v, regions[r][v]);
      if (regions[r][v] > max) max = regions[r][v];
      sum += regions[r][v];
    }
    say("%s max=%" PRIu64 " sum=%" PRIu64 "\n", line, max, sum);
  }
  if (regions_dropped > 0) say("instruction_count: %d more regions not recorded\n", regions_dropped);
  uint64_t all = 0;
  for (int v = 0; v < vcpus; ++v) all += total[v];
  say("instruction_count: total=%" PRIu64 "\n", all);
  for (int shown = 0; count_mnemonics && shown < kMnemonicsShown; ++shown) {
    int best = -1;
    for (int m = 0; m < mnemonic_names; ++m)
      if (mnemonic_count[m] > 0 && (best < 0 || mnemonic_count[m] > mnemonic_count[best])) best = m;
    if (best < 0) break;
    say("instruction_count: mnemonic %-12s %" PRIu64 "\n", mnemonic_name[best], mnemonic_count[best]);
    mnemonic_count[best] = 0;
  }
  for (int shown = 0; count_blocks && shown < kBlocksShown; ++shown) {
    Block *best = NULL;
    for (Block *b = all_blocks; b != NULL; b = b->next)
      if (b->run_in_regions > 0 && (best == NULL || b->run_in_regions > best->run_in_regions)) best = b;
    if (best == NULL) break;
    say("instruction_count: block 0x%" PRIx64 " %" PRIu64 "\n", best->address, best->run_in_regions);
    best->run_in_regions = 0;
  }
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  if (info->system_emulation) vcpus = info->system.smp_vcpus;
  if (vcpus > kMaxVcpus) {
    fprintf(stderr, "instruction_count: %d vCPUs, at most %d supported\n", vcpus, kMaxVcpus);
    return -1;
  }
  disassembly_starts_with_bytes = strncmp(info->target_name, "riscv", 5) == 0;
  for (int i = 0; i < argc; ++i) {
    // Arm Thumb addresses from nm carry the Thumb bit; QEMU's block addresses do not.
    if (strncmp(argv[i], "begin=", 6) == 0) {
      begin_address = strtoull(argv[i] + 6, NULL, 0) & ~1ull;
    } else if (strncmp(argv[i], "end=", 4) == 0) {
      end_address = strtoull(argv[i] + 4, NULL, 0) & ~1ull;
    } else if (strcmp(argv[i], "mnemonics=on") == 0) {
      count_mnemonics = true;
    } else if (strcmp(argv[i], "blocks=on") == 0) {
      count_blocks = true;
    } else {
      fprintf(stderr, "instruction_count: unknown argument %s\n", argv[i]);
      return -1;
    }
  }
  if (begin_address == UINT64_MAX || end_address == UINT64_MAX) {
    fprintf(stderr, "instruction_count: begin= and end= are required\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, report, NULL);
  return 0;
}
