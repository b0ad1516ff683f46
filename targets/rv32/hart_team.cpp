#include "targets/rv32/hart_team.h"

#include <stddef.h>

#include "targets/rv32/clint.h"
#include "targets/rv32/csr.h"
#include "targets/rv32/hart_launch.h"

extern "C" {
#include <picotls.h>  // declares _init_tls and _set_tls without extern "C" of its own
}

#ifndef __riscv_atomic
#error "HartTeam needs the A extension (-march=rv32imafc)"
#endif

namespace utrain {

namespace {

using rv32::kMaxHarts;

constexpr size_t kStackBytes = 16 * 1024;
constexpr size_t kTlsBytes = 256;  // picolibc's thread-locals (errno, ...) take a few dozen
constexpr size_t kTlsAlign = 16;
// How long member 0 waits for the harts it started. A present hart answers within microseconds;
// a hart that has not answered by then is taken to be absent (-smp smaller than the team).
constexpr uint64_t kJoinTimeout = rv32::kMtimeHz;
constexpr uint32_t kJoinClosed = 1u << 31;

alignas(16) char g_stacks[kMaxHarts][kStackBytes];
alignas(kTlsAlign) char g_tls[kMaxHarts][kTlsBytes];
uint32_t g_harts_taken = 0;  // 1 while a HartTeam holds the harts

uint32_t load(const uint32_t& word) { return __atomic_load_n(&word, __ATOMIC_ACQUIRE); }

// Sleeps until done() holds. The hart's wake-up is taken before each look, so one sent after the
// look is still pending at the WFI and ends it.
template <class Done>
void sleep_until(uint32_t hart, const Done& done) {
  for (;;) {
    rv32::msip(hart) = 0;
    rv32::fence_io();
    if (done()) return;
    rv32::wait_for_interrupt();
  }
}

void wake(uint32_t hart) {
  rv32::fence_io();  // what the woken hart will read is written before the wake-up
  rv32::msip(hart) = 1;
}

}  // namespace

HartTeam::HartTeam(int members) {
  leader_hart_ = rv32::hart_id();
  const int wanted = members > kMaxHarts ? kMaxHarts : members;
  if (wanted <= 1 || _tls_size() > kTlsBytes || _tls_align() > kTlsAlign) return;
  if (__atomic_exchange_n(&g_harts_taken, 1u, __ATOMIC_ACQ_REL) != 0) return;
  owns_harts_ = true;

  const uint64_t deadline = rv32::mtime() + kJoinTimeout;
  rv32::set_timer(leader_hart_, deadline);
  rv32::enable_wakeups(rv32::kMieSoftware | rv32::kMieTimer);
  uint32_t launched = 0;
  for (uint32_t hart = 0;
       hart < static_cast<uint32_t>(kMaxHarts) && launched < static_cast<uint32_t>(wanted - 1); ++hart) {
    if (hart == leader_hart_) continue;
    rv32::HartLaunch& record = utrain_hart_launch[hart];
    record.argument = this;
    record.stack_top = reinterpret_cast<uintptr_t>(g_stacks[hart] + kStackBytes);
    __atomic_store_n(&record.entry, &HartTeam::worker_entry, __ATOMIC_RELEASE);
    wake(hart);
    launched_harts_ |= 1u << hart;
    ++launched;
  }
  sleep_until(leader_hart_, [&] { return load(joined_) == launched_harts_ || rv32::mtime() >= deadline; });
  member_harts_ = __atomic_fetch_or(&joined_, kJoinClosed, __ATOMIC_ACQ_REL);
  size_ = 1 + __builtin_popcount(member_harts_);
  rv32::disable_wakeups(rv32::kMieTimer);
  rv32::set_timer(leader_hart_, ~0ull);
}

HartTeam::~HartTeam() {
  if (!owns_harts_) return;
  __atomic_store_n(&stopping_, true, __ATOMIC_RELAXED);
  __atomic_store_n(&running_, static_cast<uint32_t>(size_ - 1), __ATOMIC_RELAXED);
  __atomic_add_fetch(&generation_, 1, __ATOMIC_RELEASE);
  wake_others(leader_hart_);
  sleep_until(leader_hart_, [&] { return load(running_) == 0; });
  // Harts that never answered would otherwise find this team's entry if they ever woke.
  for (uint32_t hart = 0; hart < static_cast<uint32_t>(kMaxHarts); ++hart)
    if ((launched_harts_ & ~member_harts_) & (1u << hart))
      __atomic_store_n(&utrain_hart_launch[hart].entry, nullptr, __ATOMIC_RELEASE);
  __atomic_store_n(&g_harts_taken, 0u, __ATOMIC_RELEASE);
}

void HartTeam::run(TeamTask task, void* context) {
  if (size_ == 1) {
    task(context, 0, 1);
    return;
  }
  task_ = task;
  context_ = context;
  __atomic_store_n(&running_, static_cast<uint32_t>(size_ - 1), __ATOMIC_RELAXED);
  __atomic_add_fetch(&generation_, 1, __ATOMIC_RELEASE);  // publishes task_ and context_
  wake_others(leader_hart_);
  task(context, 0, size_);
  sleep_until(leader_hart_, [&] { return load(running_) == 0; });
}

void HartTeam::barrier(int /*member*/) {
  if (size_ == 1) return;
  const uint32_t self = rv32::hart_id();
  const uint32_t generation = load(barrier_generation_);
  if (__atomic_add_fetch(&barrier_arrived_, 1, __ATOMIC_ACQ_REL) == static_cast<uint32_t>(size_)) {
    __atomic_store_n(&barrier_arrived_, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&barrier_generation_, generation + 1, __ATOMIC_RELEASE);
    wake_others(self);
    return;
  }
  sleep_until(self, [&] { return load(barrier_generation_) != generation; });
}

void HartTeam::worker_entry(uint32_t hart, void* team) { static_cast<HartTeam*>(team)->worker(hart); }

void HartTeam::worker(uint32_t hart) {
  _init_tls(g_tls[hart]);
  _set_tls(g_tls[hart]);
  const uint32_t leader = leader_hart_;
  uint32_t seen = load(generation_);
  const int member = join(hart);
  if (member > 0) {
    wake(leader);
    for (;;) {
      sleep_until(hart, [&] { return load(generation_) != seen; });
      seen = load(generation_);
      if (__atomic_load_n(&stopping_, __ATOMIC_RELAXED)) break;
      task_(context_, member, size_);
      if (__atomic_sub_fetch(&running_, 1, __ATOMIC_ACQ_REL) == 0) wake(leader);
    }
  }
  __atomic_store_n(&utrain_hart_launch[hart].entry, nullptr, __ATOMIC_RELEASE);
  // The last touch of the team: once the count reaches 0 the destructor may return.
  if (member > 0 && __atomic_sub_fetch(&running_, 1, __ATOMIC_ACQ_REL) == 0) wake(leader);
}

// Adds `hart` to the team unless member 0 has stopped waiting; the member number is the order
// of joining, so members are 0 .. size-1 whichever harts answered.
int HartTeam::join(uint32_t hart) {
  uint32_t joined = load(joined_);
  do {
    if (joined & kJoinClosed) return -1;
  } while (!__atomic_compare_exchange_n(&joined_, &joined, joined | (1u << hart), true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE));
  return 1 + __builtin_popcount(joined);
}

void HartTeam::wake_others(uint32_t self) const {
  const uint32_t harts = member_harts_ | (1u << leader_hart_);
  for (uint32_t hart = 0; hart < static_cast<uint32_t>(kMaxHarts); ++hart)
    if (hart != self && (harts & (1u << hart))) wake(hart);
}

}  // namespace utrain
