#include "support/test_teams.h"

namespace utrain::testing {

Team& team_of(int members) {
  static SerialTeam serial;
  static ThreadPoolTeam two(2), three(3), eight(8);
  switch (members) {
    case 2: return two;
    case 3: return three;
    case 8: return eight;
    default: return serial;
  }
}

}  // namespace utrain::testing
