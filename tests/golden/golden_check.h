// What the golden tests share: the inputs regenerated from a case's seed, the comparison with
// PyTorch's values, and a summary of the largest errors seen per topic, printed after the run so
// the tolerances can be judged against what is actually observed.
//
// The tolerance rule is relative with a floor: |got − want| ≤ rel · max(floor, |want|). The
// floor is 1 by default (relative for large values, absolute for small ones); 0 makes it purely
// relative. Every failure message says how to regenerate the fixtures.
#pragma once
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace utrain::golden {

inline constexpr const char* kRegenerate = "/usr/bin/python3 tests/golden/generate_goldens.py";

// Stream `stream` of a case: Rng(seed, stream), `count` values of uniform_symmetric(bound).
std::vector<float> stream_values(uint64_t seed, uint64_t stream, size_t count, float bound = 1.0f);

struct Tolerance {
  double rel = 0.0;
  double floor = 1.0;
};

// Checks got[i] against want[i] for every i with the rule above; a failure names `what`, the
// index and both values (the first few mismatches, then their count). Records the largest
// |got − want| / max(floor, |want|) under `topic` for the summary.
void expect_close(const std::string& topic, const std::string& what, const float* got, const float* want,
                  size_t count, Tolerance tol);
void expect_close(const std::string& topic, const std::string& what, float got, float want, Tolerance tol);

// Bit-for-bit equality (the portable RNG and initialisation), with the same reporting.
void expect_bits_equal(const std::string& what, const float* got, const float* want, size_t count);

// Names each instance of a parameterized golden test after its case's `name`.
struct CaseName {
  template <class Case>
  std::string operator()(const ::testing::TestParamInfo<Case>& param) const {
    return param.param.name;
  }
};

// "ok", or the status formatted, for assertion messages.
std::string describe(const Status& s);

}  // namespace utrain::golden
