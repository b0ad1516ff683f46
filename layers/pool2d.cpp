#include "layers/pool2d.h"

#include "core/arith.h"
#include "core/partition.h"
#include "layers/elementwise_checks.h"
#include "layers/group_statistics.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// The taps [begin, end) of the window at output position `o` that fall inside an input of `in`
// positions along one axis (the others are padding).
Range taps_inside(int32_t o, int32_t in, int32_t kernel, int32_t stride, int32_t pad_before, int32_t dilation) {
  const int32_t start = o * stride - pad_before;  // input position of tap 0
  const int32_t begin = start < 0 ? div_ceil(-start, dilation) : 0;
  const int32_t end = start < in ? min_of(kernel, (in - 1 - start) / dilation + 1) : 0;
  return Range{begin, end};
}

// The window of output (oh, ow) over one plane: which of its taps are inside the input, and the
// input position of each tap.
struct WindowAt {
  Range rows, cols;
  int32_t top, left, dilation_h, dilation_w;

  int32_t row(int32_t i) const { return top + i * dilation_h; }
  int32_t col(int32_t j) const { return left + j * dilation_w; }
};

struct PoolGeometry {
  Window2d w;
  int32_t in_h, in_w, out_h, out_w;

  WindowAt at(int32_t oh, int32_t ow) const {
    return WindowAt{taps_inside(oh, in_h, w.kernel_h, w.stride_h, w.pad.top, w.dilation_h),
                    taps_inside(ow, in_w, w.kernel_w, w.stride_w, w.pad.left, w.dilation_w),
                    oh * w.stride_h - w.pad.top,
                    ow * w.stride_w - w.pad.left,
                    w.dilation_h,
                    w.dilation_w};
  }
};

// One channel plane of one sample, in either layout: element (h, w) at h·row + w·col.
struct Plane {
  float* data;
  int64_t row, col;

  float& operator()(int32_t h, int32_t w) const { return data[h * row + w * col]; }
};

Plane plane_of(const TensorView& t, int32_t sample, int32_t channel) {
  return Plane{t.f32() + t.offset(sample, channel, 0, 0), t.strides.h, t.strides.w};
}

// The input position (h, w) of the window's first maximum in row-major tap order. Padding is
// -infinity, so it never wins over a tap inside; NaN wins over everything, and a later NaN over
// an earlier one, as in PyTorch, so a NaN input shows in the output instead of vanishing.
struct Position {
  int32_t h, w;
};
Position first_maximum(const Plane& x, const WindowAt& win) {
  Position best{win.row(win.rows.begin), win.col(win.cols.begin)};
  float best_value = x(best.h, best.w);
  for (int32_t i = win.rows.begin; i < win.rows.end; ++i)
    for (int32_t j = win.cols.begin; j < win.cols.end; ++j) {
      const Position p{win.row(i), win.col(j)};
      const float v = x(p.h, p.w);
      if (v > best_value || v != v) best = p, best_value = v;
    }
  return best;
}

// What average pooling divides a window's sum by.
float average_divisor(const Pool2dParams& p, const WindowAt& win) {
  return static_cast<float>(p.count_include_pad ? p.window.taps() : win.rows.size() * win.cols.size());
}

void forward_plane(const Pool2dParams& p, const PoolGeometry& geo, const Plane& x, const Plane& y) {
  for (int32_t oh = 0; oh < geo.out_h; ++oh)
    for (int32_t ow = 0; ow < geo.out_w; ++ow) {
      const WindowAt win = geo.at(oh, ow);
      if (p.kind == PoolKind::max) {
        const Position m = first_maximum(x, win);
        y(oh, ow) = x(m.h, m.w);
        continue;
      }
      float sum = 0.0f;
      for (int32_t i = win.rows.begin; i < win.rows.end; ++i)
        for (int32_t j = win.cols.begin; j < win.cols.end; ++j) sum += x(win.row(i), win.col(j));
      y(oh, ow) = sum / average_divisor(p, win);
    }
}

// Windows overlap when the stride is smaller than the window, so gradients are added tap by tap
// into a plane cleared first (unless accumulating).
void input_grad_plane(const Pool2dParams& p, const PoolGeometry& geo, const Plane& x, const Plane& dy,
                      const Plane& dx, bool accumulate) {
  if (!accumulate)
    for (int32_t h = 0; h < geo.in_h; ++h)
      for (int32_t col = 0; col < geo.in_w; ++col) dx(h, col) = 0.0f;
  for (int32_t oh = 0; oh < geo.out_h; ++oh)
    for (int32_t ow = 0; ow < geo.out_w; ++ow) {
      const WindowAt win = geo.at(oh, ow);
      if (p.kind == PoolKind::max) {
        const Position m = first_maximum(x, win);
        dx(m.h, m.w) += dy(oh, ow);
        continue;
      }
      const float share = dy(oh, ow) / average_divisor(p, win);
      for (int32_t i = win.rows.begin; i < win.rows.end; ++i)
        for (int32_t j = win.cols.begin; j < win.cols.end; ++j) dx(win.row(i), win.col(j)) += share;
    }
}

// Runs f(sample, channel) for every plane, the n·C planes split over the team. Planes are
// independent in both steps: a window never leaves its plane.
template <class F>
void run_planes(Team& team, const Shape& s, const F& f) {
  team_run(team, [&](int member, int size) {
    const Range share = partition(s.n * s.c, member, size, 1);
    for (int32_t u = share.begin; u < share.end; ++u) f(u / s.c, u % s.c);
  });
}

// Every window must see at least one input value: a window wholly in the padding has no maximum
// and no average of inputs (PyTorch avoids it by limiting padding to half the window).
Status check_windows_see_input(const PoolGeometry& geo) {
  for (int32_t oh = 0; oh < geo.out_h; ++oh)
    if (geo.at(oh, 0).rows.empty())
      return Status::error(StatusCode::invalid_argument, "the padding is so tall that a window lies wholly in it")
          .about("pool 2d");
  for (int32_t ow = 0; ow < geo.out_w; ++ow)
    if (geo.at(0, ow).cols.empty())
      return Status::error(StatusCode::invalid_argument, "the padding is so wide that a window lies wholly in it")
          .about("pool 2d");
  return ok_status();
}

// The geometry of a pooling step, after checking x against the layer.
Status pool_geometry(const Pool2dParams& p, const TensorView& x, const char* x_subject, PoolGeometry* geo) {
  UT_TRY(check_layer_tensor(x, p.layout, x_subject));
  Shape out;
  UT_TRY(pool2d_output_shape(p, x.shape, &out));
  *geo = PoolGeometry{p.window, x.shape.h, x.shape.w, out.h, out.w};
  return ok_status();
}

// t must be a dense f32 tensor of `shape` in `layout`.
Status check_shaped(const TensorView& t, const Shape& shape, Layout layout, const char* subject) {
  UT_TRY(check_dense_f32(t, subject));
  return check_same_shape(t, TensorView::dense(static_cast<float*>(nullptr), shape, layout), subject);
}

}  // namespace

Status check_pool2d_params(const Pool2dParams& p) {
  if (p.kind != PoolKind::max && p.kind != PoolKind::average)
    return Status::error(StatusCode::invalid_argument, "kind must be max or average").about("pool 2d");
  UT_TRY(check_window2d(p.window, "pool 2d"));
  if (p.kind == PoolKind::average && (p.window.dilation_h != 1 || p.window.dilation_w != 1))
    return Status::error(StatusCode::unsupported, "average pooling has no dilation (as PyTorch's AvgPool2d)",
                         p.window.dilation_h != 1 ? p.window.dilation_h : p.window.dilation_w, 1)
        .about("pool 2d");
  return check_layout_value(p.layout, "pool 2d");
}

Status pool2d_output_shape(const Pool2dParams& p, const Shape& input, Shape* output) {
  UT_TRY(check_pool2d_params(p));
  UT_CHECK(output != nullptr, StatusCode::invalid_argument, "pool 2d output shape: output is null");
  if (input.n <= 0 || input.c <= 0 || input.h <= 0 || input.w <= 0)
    return Status::error(StatusCode::invalid_argument, "every input dimension must be positive")
        .about("pool 2d output shape");
  int32_t out_h = 0, out_w = 0;
  UT_TRY(window2d_output(p.window, input.h, input.w, &out_h, &out_w, "pool 2d"));
  UT_TRY(check_windows_see_input(PoolGeometry{p.window, input.h, input.w, out_h, out_w}));
  *output = Shape{input.n, input.c, out_h, out_w};
  return ok_status();
}

Status pool2d_forward(const ExecContext& ctx, const Pool2dParams& p, const TensorView& x, const TensorView& y) {
  UT_TRY(check_context(ctx, "pool 2d forward"));
  PoolGeometry geo;
  UT_TRY(pool_geometry(p, x, "pool 2d forward: x", &geo));
  UT_TRY(check_shaped(y, Shape{x.shape.n, x.shape.c, geo.out_h, geo.out_w}, p.layout, "pool 2d forward: y"));
  run_planes(*ctx.team, x.shape, [&](int32_t s, int32_t c) {
    forward_plane(p, geo, plane_of(x, s, c), plane_of(y, s, c));
  });
  return ok_status();
}

Status pool2d_input_grad(const ExecContext& ctx, const Pool2dParams& p, const TensorView& x,
                         const TensorView& dy, const TensorView& dx, bool accumulate) {
  UT_TRY(check_context(ctx, "pool 2d input grad"));
  PoolGeometry geo;
  UT_TRY(pool_geometry(p, x, "pool 2d input grad: x", &geo));
  UT_TRY(check_shaped(dy, Shape{x.shape.n, x.shape.c, geo.out_h, geo.out_w}, p.layout, "pool 2d input grad: dy"));
  UT_TRY(check_shaped(dx, x.shape, p.layout, "pool 2d input grad: dx"));
  run_planes(*ctx.team, x.shape, [&](int32_t s, int32_t c) {
    input_grad_plane(p, geo, plane_of(x, s, c), plane_of(dy, s, c), plane_of(dx, s, c), accumulate);
  });
  return ok_status();
}

// A 1 × 1 plane sits at the same offset in both layouts, so y (and dy) may be given in either.
Status global_avg_pool_forward(const ExecContext& ctx, const TensorView& x, const TensorView& y) {
  UT_TRY(check_context(ctx, "global avg pool forward"));
  UT_TRY(check_dense_f32(x, "global avg pool forward: x"));
  UT_TRY(check_shaped(y, Shape{x.shape.n, x.shape.c, 1, 1}, y.layout, "global avg pool forward: y"));
  const GroupLayout l = channel_groups_of_sample(x.shape, x.layout);
  const float n = static_cast<float>(l.values());
  run_group_blocks(*ctx.team, x.shape.c, [&](int32_t first, int32_t groups) {
    for (int32_t s = 0; s < x.shape.n; ++s) {
      float sum[kGroupBlock];
      group_sums(x.f32() + s * x.shape.per_sample() + first * l.group_stride, l, groups, sum);
      float* out = y.f32() + y.offset(s, first, 0, 0);
      for (int32_t g = 0; g < groups; ++g) out[g] = sum[g] / n;
    }
  });
  return ok_status();
}

Status global_avg_pool_input_grad(const ExecContext& ctx, const TensorView& dy, const TensorView& dx,
                                  bool accumulate) {
  UT_TRY(check_context(ctx, "global avg pool input grad"));
  UT_TRY(check_dense_f32(dx, "global avg pool input grad: dx"));
  UT_TRY(check_shaped(dy, Shape{dx.shape.n, dx.shape.c, 1, 1}, dy.layout, "global avg pool input grad: dy"));
  const GroupLayout l = channel_groups_of_sample(dx.shape, dx.layout);
  const float n = static_cast<float>(l.values());
  run_group_blocks(*ctx.team, dx.shape.c, [&](int32_t first, int32_t groups) {
    for (int32_t s = 0; s < dx.shape.n; ++s) {
      const float* grad = dy.f32() + dy.offset(s, first, 0, 0);
      float share[kGroupBlock];
      for (int32_t g = 0; g < groups; ++g) share[g] = grad[g] / n;
      group_broadcast(dx.f32() + s * dx.shape.per_sample() + first * l.group_stride, l, groups, share, accumulate);
    }
  });
  return ok_status();
}

}  // namespace utrain
