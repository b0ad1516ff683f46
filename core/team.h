// Team: a group of workers that run one task together (fork/join) and may meet at barriers,
// the software picture of a PULP cluster's 8 cores.
//
// run(task, ctx) calls task(ctx, member, size) once on every member 0..size-1 and returns when
// all have finished; the caller is member 0. barrier(member) may only be called from inside a
// task, by every member. Backends: SerialTeam here (one member, any target), a persistent
// thread pool on the host (targets/host), harts on bare-metal RISC-V (targets/rv32).
#pragma once

namespace utrain {

using TeamTask = void (*)(void* context, int member, int size);

class Team {
 public:
  virtual int size() const = 0;
  virtual void run(TeamTask task, void* context) = 0;
  virtual void barrier(int member) = 0;

 protected:
  // Teams are never deleted through this interface (there is no heap on the device).
  ~Team() = default;
};

class SerialTeam final : public Team {
 public:
  int size() const override { return 1; }
  void run(TeamTask task, void* context) override { task(context, 0, 1); }
  void barrier(int) override {}
};

// Runs a callable f(member, size) on every member of `team`.
template <class F>
void team_run(Team& team, const F& f) {
  team.run([](void* c, int member, int size) { (*static_cast<const F*>(c))(member, size); },
           const_cast<F*>(&f));
}

}  // namespace utrain
