// Elementwise kernels: out[i] = f(x[i]) (unary), f(grad[i], saved[i]) (unaryGrad),
// a[i] op b[i] (binary, inputs pre-expanded to out's shape with stride-0 broadcast dims),
// alpha*x[i]+beta (affine). float32 everywhere; int32 for the integer-safe ops.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "activation.h"
#include "gemm.h"
#include "kernels.h"
#include "strided.h"

namespace tn::cpu {
namespace {

float unaryF(UnaryOp op, float x) {
  switch (op) {
    case UnaryOp::Neg: return -x;
    case UnaryOp::Relu: return applyActivation(Activation::Relu, x);
    case UnaryOp::Sigmoid: return sigmoidf(x);
    case UnaryOp::Tanh: return std::tanh(x);
    case UnaryOp::Exp: return std::exp(x);
    case UnaryOp::Log: return std::log(x);
    case UnaryOp::Abs: return std::fabs(x);
    case UnaryOp::Sqrt: return std::sqrt(x);
    case UnaryOp::Square: return x * x;
    case UnaryOp::Reciprocal: return 1.0f / x;
    case UnaryOp::Sign: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : (x == 0.0f ? 0.0f : x));
    case UnaryOp::Log1p: return std::log1p(x);
  }
  return x;
}

int32_t unaryI(UnaryOp op, int32_t x) {
  switch (op) {
    case UnaryOp::Neg: return static_cast<int32_t>(0u - static_cast<uint32_t>(x));  // wraps, no UB
    case UnaryOp::Abs: return x < 0 ? static_cast<int32_t>(0u - static_cast<uint32_t>(x)) : x;
    case UnaryOp::Relu: return x > 0 ? x : 0;
    case UnaryOp::Square: return static_cast<int32_t>(static_cast<uint32_t>(x) * static_cast<uint32_t>(x));
    case UnaryOp::Sign: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    default: return x;  // float-only ops are refused before reaching here
  }
}

template <class T>
T binaryT(BinaryOp op, T a, T b);

template <>
float binaryT<float>(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Maximum: return (a != a || b != b) ? NAN : (a > b ? a : b);
    case BinaryOp::Minimum: return (a != a || b != b) ? NAN : (a < b ? a : b);
    case BinaryOp::Pow: return std::pow(a, b);
    case BinaryOp::Eq: return a == b ? 1.0f : 0.0f;
    case BinaryOp::Lt: return a < b ? 1.0f : 0.0f;
    case BinaryOp::Gt: return a > b ? 1.0f : 0.0f;
  }
  return 0.0f;
}

template <>
int32_t binaryT<int32_t>(BinaryOp op, int32_t a, int32_t b) {
  const uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  switch (op) {
    case BinaryOp::Add: return static_cast<int32_t>(ua + ub);  // two's-complement wrap like PyTorch
    case BinaryOp::Sub: return static_cast<int32_t>(ua - ub);
    case BinaryOp::Mul: return static_cast<int32_t>(ua * ub);
    case BinaryOp::Div:  // integer division is refused in TS (true division promotes); guard anyway
      if (b == 0 || (a == INT32_MIN && b == -1)) return 0;
      return a / b;
    case BinaryOp::Maximum: return a > b ? a : b;
    case BinaryOp::Minimum: return a < b ? a : b;
    case BinaryOp::Pow: {
      if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
      uint32_t r = 1, base = ua;
      for (int32_t e = b; e > 0; e >>= 1) {
        if (e & 1) r *= base;
        base *= base;
      }
      return static_cast<int32_t>(r);
    }
    case BinaryOp::Eq: return a == b;
    case BinaryOp::Lt: return a < b;
    case BinaryOp::Gt: return a > b;
  }
  return 0;
}

float unaryGradF(UnaryGradOp op, float g, float s) {
  switch (op) {
    case UnaryGradOp::SigmoidGrad: return g * s * (1.0f - s);
    case UnaryGradOp::TanhGrad: return g * (1.0f - s * s);
    case UnaryGradOp::ReluGrad: return s > 0.0f ? g : 0.0f;
  }
  return 0.0f;
}

}  // namespace

void unary(UnaryOp op, const TensorView& x, const TensorView& out) {
  const TensorView* views[2] = {&x, &out};
  const auto L = coalesce<2>(views);
  if (x.dtype == DType::Int32) {
    const int32_t* xp = x.i32();
    int32_t* op_ = out.i32();
    forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
      for (int64_t i = 0; i < n; ++i) op_[off[1] + i * st[1]] = unaryI(op, xp[off[0] + i * st[0]]);
    });
    return;
  }
  const float* xp = x.f32();
  float* o = out.f32();
  if (op == UnaryOp::Sigmoid || op == UnaryOp::Tanh) {
    // The GEMM epilogue's vectorised activation (lane-wise, so every element gets the same
    // bits however it is reached): a fused Linear+activation equals Linear then activation.
    const Activation act = op == UnaryOp::Sigmoid ? Activation::Sigmoid : Activation::Tanh;
    const auto activate = gemm::active().activate;
    forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
      const float* xs = xp + off[0];
      float* os = o + off[1];
      if (st[1] == 1) {
        if (st[0] == 1) {
          if (os != xs) std::memmove(os, xs, static_cast<size_t>(n) * sizeof(float));
        } else {
          for (int64_t i = 0; i < n; ++i) os[i] = xs[i * st[0]];
        }
        activate(os, n, act);
        return;
      }
      float buf[256];
      for (int64_t i0 = 0; i0 < n; i0 += 256) {
        const int64_t m = std::min<int64_t>(256, n - i0);
        for (int64_t i = 0; i < m; ++i) buf[i] = xs[(i0 + i) * st[0]];
        activate(buf, m, act);
        for (int64_t i = 0; i < m; ++i) os[(i0 + i) * st[1]] = buf[i];
      }
    });
    return;
  }
  forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    const float* xs = xp + off[0];
    float* os = o + off[1];
    if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) os[i] = unaryF(op, xs[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) os[i * st[1]] = unaryF(op, xs[i * st[0]]);
    }
  });
}

void unaryGrad(UnaryGradOp op, const TensorView& g, const TensorView& s, const TensorView& out) {
  const TensorView* views[3] = {&g, &s, &out};
  const auto L = coalesce<3>(views);
  const float *gp = g.f32(), *sp = s.f32();
  float* o = out.f32();
  forEachRow<3>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i)
      o[off[2] + i * st[2]] = unaryGradF(op, gp[off[0] + i * st[0]], sp[off[1] + i * st[1]]);
  });
}

namespace {
template <class T>
void binaryTyped(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) {
  const TensorView* views[3] = {&a, &b, &out};
  const auto L = coalesce<3>(views);
  const T* ap = static_cast<const T*>(a.data);
  const T* bp = static_cast<const T*>(b.data);
  T* o = static_cast<T*>(out.data);
  forEachRow<3>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    const T *as = ap + off[0], *bs = bp + off[1];
    T* os = o + off[2];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      switch (op) {  // the common contiguous cases as plain loops the compiler vectorises
        case BinaryOp::Add: for (int64_t i = 0; i < n; ++i) os[i] = binaryT<T>(BinaryOp::Add, as[i], bs[i]); return;
        case BinaryOp::Mul: for (int64_t i = 0; i < n; ++i) os[i] = binaryT<T>(BinaryOp::Mul, as[i], bs[i]); return;
        default: break;
      }
    }
    for (int64_t i = 0; i < n; ++i) os[i * st[2]] = binaryT<T>(op, as[i * st[0]], bs[i * st[1]]);
  });
}
}  // namespace

void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) {
  if (a.dtype == DType::Int32) binaryTyped<int32_t>(op, a, b, out);
  else binaryTyped<float>(op, a, b, out);
}

void affine(const TensorView& x, double alpha, double beta, const TensorView& out) {
  const TensorView* views[2] = {&x, &out};
  const auto L = coalesce<2>(views);
  if (x.dtype == DType::Int32) {
    const int32_t* xp = x.i32();
    int32_t* o = out.i32();
    const int64_t ia = static_cast<int64_t>(alpha), ib = static_cast<int64_t>(beta);
    forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
      for (int64_t i = 0; i < n; ++i)
        o[off[1] + i * st[1]] = static_cast<int32_t>(static_cast<uint32_t>(ia * xp[off[0] + i * st[0]] + ib));
    });
    return;
  }
  const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
  const float* xp = x.f32();
  float* o = out.f32();
  forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) o[off[1] + i * st[1]] = fa * xp[off[0] + i * st[0]] + fb;
  });
}

}  // namespace tn::cpu
