#include "targets/host/thread_pool_team.h"

namespace utrain {

namespace {

// Spins a little, then sleeps until `word` no longer holds `old`.
template <class T>
void wait_while_equal(const std::atomic<T>& word, T old) {
  for (int i = 0; i < 4000; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  while (word.load(std::memory_order_acquire) == old) word.wait(old, std::memory_order_acquire);
}

}  // namespace

ThreadPoolTeam::ThreadPoolTeam(int members) : members_(members < 1 ? 1 : members) {
  threads_.reserve(static_cast<size_t>(members_ - 1));
  for (int m = 1; m < members_; ++m) threads_.emplace_back([this, m] { worker(m); });
}

ThreadPoolTeam::~ThreadPoolTeam() {
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ThreadPoolTeam::run(TeamTask task, void* context) {
  if (members_ == 1) {
    task(context, 0, 1);
    return;
  }
  task_ = task;
  context_ = context;
  running_.store(members_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);  // publishes task_ and context_
  generation_.notify_all();
  task(context, 0, members_);
  for (int left = running_.load(std::memory_order_acquire); left != 0;
       left = running_.load(std::memory_order_acquire))
    wait_while_equal(running_, left);
}

void ThreadPoolTeam::worker(int member) {
  // Start from the constructor's value, not a fresh load: run() may already have bumped it.
  uint32_t seen = 0;
  for (;;) {
    wait_while_equal(generation_, seen);
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;
    task_(context_, member, members_);
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) running_.notify_all();
  }
}

void ThreadPoolTeam::barrier(int /*member*/) {
  if (members_ == 1) return;
  const uint32_t generation = barrier_generation_.load(std::memory_order_acquire);
  if (barrier_arrived_.fetch_add(1, std::memory_order_acq_rel) == members_ - 1) {
    barrier_arrived_.store(0, std::memory_order_relaxed);
    barrier_generation_.fetch_add(1, std::memory_order_acq_rel);
    barrier_generation_.notify_all();
    return;
  }
  wait_while_equal(barrier_generation_, generation);
}

}  // namespace utrain
