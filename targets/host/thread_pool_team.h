// ThreadPoolTeam: the host backend of Team. Its threads are created once, in the constructor,
// and wait for work between calls, so a fork/join costs a wake-up, not a thread start: batch-1
// layer steps are microseconds long and would drown in thread creation.
//
// Waiting spins briefly (work often follows work) and then sleeps on the atomic (futex), so an
// oversubscribed machine (8 members on 2 cores) still makes progress.
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/team.h"

namespace utrain {

class ThreadPoolTeam final : public Team {
 public:
  // members >= 1; member 0 is the thread that calls run().
  explicit ThreadPoolTeam(int members);
  ~ThreadPoolTeam();
  ThreadPoolTeam(const ThreadPoolTeam&) = delete;
  ThreadPoolTeam& operator=(const ThreadPoolTeam&) = delete;

  int size() const override { return members_; }
  // Not reentrant: a task must not call run() on the same team.
  void run(TeamTask task, void* context) override;
  void barrier(int member) override;

 private:
  void worker(int member);

  const int members_;
  std::vector<std::thread> threads_;
  TeamTask task_ = nullptr;
  void* context_ = nullptr;
  std::atomic<uint32_t> generation_{0};  // bumped once per run(); workers wait for a change
  std::atomic<int> running_{0};          // workers still inside the current task
  std::atomic<bool> stopping_{false};
  std::atomic<int> barrier_arrived_{0};
  std::atomic<uint32_t> barrier_generation_{0};
};

}  // namespace utrain
