// HartTeam: the Team backend of bare-metal RISC-V harts (qemu-system-riscv32 -M virt -smp N),
// the cluster of a PULP chip. Member 0 is the hart that builds the team and calls run(); the
// others are harts started through start.S's launch records, each on its own stack and with its
// own thread-local block (picolibc keeps errno there).
//
// Idle members sleep in WFI and are woken by their CLINT msip bit, so waiting costs no
// instructions: instruction counts of a team stay exact, and under -icount (harts run in turn)
// a waiting hart takes no time from a working one. Fork/join and the barrier are counters updated
// with A-extension atomics (GCC __atomic builtins: this compiler has no <atomic>).
//
// The team asks for `members` harts and keeps those that answer within a second, so a program
// built for 8 harts still runs on fewer (-smp 2); size() says how many it got. Only one HartTeam
// holds the harts at a time: another one built meanwhile gets none (size 1).
#pragma once
#include <stdint.h>

#include "core/team.h"

namespace utrain {

class HartTeam final : public Team {
 public:
  explicit HartTeam(int members);
  // Sends the other harts back to sleep in start.S; a later HartTeam can start them again.
  ~HartTeam();
  HartTeam(const HartTeam&) = delete;
  HartTeam& operator=(const HartTeam&) = delete;

  int size() const override { return size_; }
  // Not reentrant: a task must not call run() on the same team.
  void run(TeamTask task, void* context) override;
  void barrier(int member) override;

 private:
  static void worker_entry(uint32_t hart, void* team);
  void worker(uint32_t hart);
  int join(uint32_t hart);
  void wake_others(uint32_t self) const;

  int size_ = 1;
  uint32_t leader_hart_ = 0;     // member 0's hart
  uint32_t launched_harts_ = 0;  // bit per hart this team started
  uint32_t member_harts_ = 0;    // bit per hart of members 1 .. size-1
  bool owns_harts_ = false;
  TeamTask task_ = nullptr;
  void* context_ = nullptr;
  uint32_t joined_ = 0;      // harts that joined (bits), kJoinClosed once member 0 stopped waiting
  uint32_t generation_ = 0;  // bumped by every run() and by the destructor
  uint32_t running_ = 0;     // members still in the current task (or, stopping, still here)
  bool stopping_ = false;
  uint32_t barrier_arrived_ = 0;
  uint32_t barrier_generation_ = 0;
};

}  // namespace utrain
