// The main() of every device test program. On the host it takes options:
//   --members N     the team size (default UTRAIN_DEVICE_MEMBERS)
//   --filter TEXT   only the tests whose name contains TEXT
// On the device the arguments are whatever the emulator's semihosting passes (on Arm, the
// image's file name), so they are not read there: the team has as many members as the device
// has harts, and every test runs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/device_test.h"
#include "harness/platform.h"

int main(int argc, char** argv) {
  using namespace utrain;
  int members = UTRAIN_DEVICE_MEMBERS;
  const char* filter = nullptr;
  const int options = UTRAIN_DEVICE_TEST_ON_HOST ? argc : 1;
  for (int i = 1; i < options; ++i) {
    if (strcmp(argv[i], "--members") == 0 && i + 1 < argc) {
      members = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
      filter = argv[++i];
    } else {
      printf("usage: %s [--members N] [--filter TEXT]\n", argv[0]);
      return 2;
    }
  }
  if (members < 1) {
    printf("--members must be at least 1\n");
    return 2;
  }
  Team& team = device_test::platform_team(members);
  printf("%s: team of %d members\n", UTRAIN_DEVICE_NAME, team.size());
  // A smaller team than asked for (missing harts) would pass while testing less than it says.
  if (team.size() != members) {
    printf("asked for %d members, got %d\n", members, team.size());
    return 1;
  }
  const ExecContext context{&team, device_test::platform_isas()};
  return device_test::run_tests(context, filter) == 0 ? 0 : 1;
}
