#include "golden/golden_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/rng.h"

namespace utrain::golden {

namespace {

constexpr int kMismatchesShown = 5;

struct TopicError {
  double worst = 0.0;  // largest |got − want| / max(floor, |want|)
  Tolerance tol;       // the tolerance it was held to
  std::string where;
};

std::map<std::string, TopicError>& errors_by_topic() {
  static std::map<std::string, TopicError> errors;
  return errors;
}

// Prints the largest error of every topic once all tests have run.
class ErrorSummary : public ::testing::Environment {
 public:
  void TearDown() override {
    if (errors_by_topic().empty()) return;
    std::printf("[golden] largest |got - want| / max(floor, |want|) per topic:\n");
    for (const auto& [topic, e] : errors_by_topic())
      std::printf("[golden]   %-26s %.3g (tolerance %.3g, floor %g) at %s\n", topic.c_str(), e.worst,
                  e.tol.rel, e.tol.floor, e.where.c_str());
  }
};

[[maybe_unused]] ::testing::Environment* const kSummary =
    ::testing::AddGlobalTestEnvironment(new ErrorSummary);

// "what[i]", or just "what" for a single value. (Appended piecewise: GCC 12 at -O3 warns
// falsely about operator+ chains of std::to_string.)
std::string element(const std::string& what, size_t i, size_t count) {
  if (count == 1) return what;
  std::string s = what;
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

std::string hex(float v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a (%.9g)", static_cast<double>(v), static_cast<double>(v));
  return buf;
}

}  // namespace

std::vector<float> stream_values(uint64_t seed, uint64_t stream, size_t count, float bound) {
  Rng rng(seed, stream);
  std::vector<float> values(count);
  for (float& v : values) v = rng.uniform_symmetric(bound);
  return values;
}

void expect_close(const std::string& topic, const std::string& what, const float* got, const float* want,
                  size_t count, Tolerance tol) {
  int mismatches = 0;
  TopicError& e = errors_by_topic()[topic];
  e.tol = tol;
  for (size_t i = 0; i < count; ++i) {
    const double g = got[i], w = want[i];
    const double scaled = std::fabs(g - w) / std::max(tol.floor, std::fabs(w));
    if (!(scaled <= e.worst)) {  // also records NaN
      e.worst = std::isnan(scaled) ? INFINITY : scaled;
      e.where = element(what, i, count);
    }
    if (scaled <= tol.rel) continue;
    if (++mismatches <= kMismatchesShown)
      ADD_FAILURE() << element(what, i, count) << ": got " << hex(got[i]) << ", want " << hex(want[i])
                    << " (|diff| " << std::fabs(g - w) << " > " << tol.rel << " * max(" << tol.floor
                    << ", |want|)).\n"
                    << "If PyTorch's side changed on purpose, regenerate the fixtures: " << kRegenerate;
  }
  if (mismatches > kMismatchesShown)
    ADD_FAILURE() << what << ": " << mismatches << " of " << count << " values outside the tolerance.\n"
                  << "Regenerate the fixtures if the reference changed: " << kRegenerate;
}

void expect_close(const std::string& topic, const std::string& what, float got, float want, Tolerance tol) {
  expect_close(topic, what, &got, &want, 1, tol);
}

void expect_bits_equal(const std::string& what, const float* got, const float* want, size_t count) {
  int mismatches = 0;
  for (size_t i = 0; i < count; ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(float)) == 0) continue;
    if (++mismatches <= kMismatchesShown)
      ADD_FAILURE() << element(what, i, count) << ": got " << hex(got[i]) << ", want " << hex(want[i])
                    << " bit for bit (tests/golden/portable_rng.py mirrors core/rng.cpp and layers/init.cpp;"
                    << " if either changed on purpose, regenerate: " << kRegenerate << ")";
  }
  if (mismatches > kMismatchesShown)
    ADD_FAILURE() << what << ": " << mismatches << " of " << count
                  << " values differ. Regenerate: " << kRegenerate;
}

std::string describe(const Status& s) {
  char buf[256];
  return s.format(buf, sizeof buf);
}

}  // namespace utrain::golden
