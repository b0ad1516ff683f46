// HostTeam: the team a host tool runs kernels on — SerialTeam for one thread (no wake-ups, the
// fastest choice for batch-1 steps of small layers), a ThreadPoolTeam for more.
#pragma once
#include <optional>

#include "core/team.h"
#include "targets/host/thread_pool_team.h"

namespace utrain::tools {

class HostTeam {
 public:
  explicit HostTeam(int threads) {
    if (threads > 1) pool_.emplace(threads);
  }
  Team& team() { return pool_ ? static_cast<Team&>(*pool_) : serial_; }

 private:
  SerialTeam serial_;
  std::optional<ThreadPoolTeam> pool_;
};

}  // namespace utrain::tools
