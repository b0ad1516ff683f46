#include "kernels/mm/matmul.h"

#include <stdint.h>

#include "kernels/mm/matmul_split_k.h"

namespace utrain {

namespace {

// [first, last) byte range an operand stored rows×cols with leading dimension ld covers.
struct Span {
  uintptr_t first = 0, last = 0;
};
Span span_of(const float* p, int32_t rows, int32_t cols, int32_t ld) {
  if (p == nullptr || rows <= 0 || cols <= 0) return Span{};
  const uintptr_t first = reinterpret_cast<uintptr_t>(p);
  const uintptr_t count = static_cast<uintptr_t>(rows - 1) * static_cast<uintptr_t>(ld) + cols;
  return Span{first, first + count * sizeof(float)};
}
bool overlap(Span x, Span y) { return x.first < y.last && y.first < x.last; }

struct KernelCall {
  MatMulFn fn;
  const MatMulArgs* args;
};

}  // namespace

Status check_matmul(const MatMulArgs& p) {
  UT_CHECK(p.m >= 0 && p.n >= 0 && p.k >= 0, StatusCode::invalid_argument,
           "matmul: M, N and K must not be negative");
  if (p.m == 0 || p.n == 0) return ok_status();
  UT_CHECK(p.c != nullptr, StatusCode::invalid_argument, "matmul: C is null");
  if (p.ldc < p.n)
    return Status::error(StatusCode::invalid_argument, "matmul: ldc is smaller than N", p.ldc, p.n);
  const int32_t a_rows = p.ta == Trans::n ? p.m : p.k, a_cols = p.ta == Trans::n ? p.k : p.m;
  int32_t b_rows = p.tb == Trans::n ? p.k : p.n, b_cols = p.tb == Trans::n ? p.n : p.k, b_ld = p.ldb;
  if (p.b_panels) {
    UT_CHECK(p.tb == Trans::n, StatusCode::invalid_argument, "matmul: B in panels must not be transposed");
    UT_CHECK(int64_t{p.k} * p.n <= INT32_MAX, StatusCode::invalid_argument, "matmul: B in panels has too many values");
    if (!b_panels_cover(p.n))
      return Status::error(StatusCode::invalid_argument, "matmul: B in panels needs N in panels 6 and 5 wide", p.n,
                           b_panel_columns(p.n));
    b_rows = 1, b_cols = p.k * p.n, b_ld = b_cols;  // K·N floats in a row, whatever ldb says
  }
  if (p.k > 0) {
    UT_CHECK(p.a != nullptr, StatusCode::invalid_argument, "matmul: A is null");
    UT_CHECK(p.b != nullptr, StatusCode::invalid_argument, "matmul: B is null");
    if (p.lda < a_cols)
      return Status::error(StatusCode::invalid_argument,
                           "matmul: lda is smaller than a row of A as stored", p.lda, a_cols);
    if (b_ld < b_cols)
      return Status::error(StatusCode::invalid_argument,
                           "matmul: ldb is smaller than a row of B as stored", p.ldb, b_cols);
  }
  UT_CHECK(p.bias_axis == BiasAxis::none || p.bias != nullptr, StatusCode::invalid_argument,
           "matmul: a bias axis is set but the bias is null");
  UT_CHECK(p.act != Activation::leaky_relu || p.act_slope > 0.0f, StatusCode::invalid_argument,
           "matmul: LeakyReLU slope must be positive");
  const Span c = span_of(p.c, p.m, p.n, p.ldc);
  if (p.k > 0) {
    UT_CHECK(!overlap(c, span_of(p.a, a_rows, a_cols, p.lda)), StatusCode::invalid_argument,
             "matmul: C overlaps A");
    UT_CHECK(!overlap(c, span_of(p.b, b_rows, b_cols, b_ld)), StatusCode::invalid_argument,
             "matmul: C overlaps B");
  }
  if (p.bias_axis != BiasAxis::none) {
    const int32_t len = p.bias_axis == BiasAxis::row ? p.m : p.n;
    UT_CHECK(!overlap(c, span_of(p.bias, 1, len, len)), StatusCode::invalid_argument,
             "matmul: C overlaps the bias");
  }
  return ok_status();
}

MatMulArgs normalize_matmul(const MatMulArgs& args) {
  MatMulArgs p = args;
  // None of these applies to B in panels (check_matmul: not transposed, N at least 5).
  // A K×1 column of B with stride 1 is a transposed 1×K row: the dot form for N == 1.
  if (p.n == 1 && p.tb == Trans::n && p.ldb == 1) {
    p.tb = Trans::t;
    p.ldb = p.k;
  }
  // A 1×N row of B stored transposed (N×1, stride 1) is a plain row: the outer form for K == 1.
  if (p.k == 1 && p.tb == Trans::t && p.ldb == 1) {
    p.tb = Trans::n;
    p.ldb = p.n;
  }
  // A 1×K row of A stored transposed (K×1, stride 1) is a plain row: the dot form for M == 1.
  if (p.m == 1 && p.ta == Trans::t && p.lda == 1) {
    p.ta = Trans::n;
    p.lda = p.k;
  }
  return p;
}

Status matmul(const ExecContext& ctx, const MatMulArgs& args, const MatMulKernel* kernel) {
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "matmul: the context has no team");
  UT_TRY(check_matmul(args));
  if (args.m == 0 || args.n == 0) return ok_status();
  const MatMulArgs p = normalize_matmul(args);
  if (kernel == nullptr) {
    kernel = &default_matmul_kernel(p, ctx.team->size(), ctx.isas);
  } else {
    UT_CHECK(kernel->ta == p.ta && kernel->tb == p.tb, StatusCode::invalid_argument,
             "matmul: the kernel's operand transpositions do not match the (normalized) call");
    UT_CHECK(ctx.isas.has(kernel->isa), StatusCode::unsupported,
             "matmul: the kernel needs an instruction set this machine lacks");
  }
  if (p.b_panels) {
    // What matmul_takes_b_panels promises, each with its own message.
    UT_CHECK(kernel->reads_b_panels, StatusCode::invalid_argument, "matmul: B in panels needs a kernel that reads them");
    if (p.m % kernel->mr != 0)
      return Status::error(StatusCode::invalid_argument, "matmul: B in panels needs M in whole tiles of rows", p.m,
                           kernel->mr);
    UT_CHECK(p.bias_axis != BiasAxis::col, StatusCode::invalid_argument,
             "matmul: B in panels takes a bias per row of C, not per column");
  } else if (splits_k(p, *kernel, *ctx.team)) {
    run_split_k(*ctx.team, p, kernel->fn);
    return ok_status();
  }
  KernelCall call{kernel->fn, &p};
  ctx.team->run(
      [](void* c, int member, int members) {
        const KernelCall* kc = static_cast<const KernelCall*>(c);
        kc->fn(*kc->args, member, members);
      },
      &call);
  return ok_status();
}

bool matmul_takes_b_panels(const MatMulKernel* kernel, int32_t m, int32_t n) {
  return kernel != nullptr && kernel->reads_b_panels && b_panels_cover(n) && m % kernel->mr == 0;
}

}  // namespace utrain
