// Elementwise kernels, the CUDA twin of native/cpu/elementwise.cc:
//   unary      out[i] = f(x[i])                 float32, or int32 for Neg/Abs/Relu/Square/Sign
//   unaryGrad  out[i] = f(grad[i], saved[i])    float32
//   binary     out[i] = a[i] op b[i]            a, b pre-expanded (stride 0) to out's shape
//   affine     out[i] = alpha * x[i] + beta
// All views share one shape and may be strided; one grid-stride launch each (cuda_strided.cuh),
// with a contiguous fast path. int32 arithmetic wraps (two's complement) like the CPU. Where
// nvcc would fuse a*b+c into one FMA and the CPU rounds twice, __fmul_rn/__fadd_rn keep the
// CPU's rounding, so both backends give the same bits for the affine and grad formulas.
#include <cmath>

#include "cuda_activation.cuh"
#include "cuda_elementwise.cuh"
#include "cuda_strided.cuh"

namespace tn::cuda {
namespace {

__device__ __forceinline__ float unaryF(UnaryOp op, float x) {
  switch (op) {
    case UnaryOp::Neg: return -x;
    case UnaryOp::Relu: return reluf(x);
    case UnaryOp::Sigmoid: return sigmoidf(x);
    case UnaryOp::Tanh: return tanhf(x);
    case UnaryOp::Exp: return expf(x);
    case UnaryOp::Log: return logf(x);
    case UnaryOp::Abs: return fabsf(x);
    case UnaryOp::Sqrt: return sqrtf(x);
    case UnaryOp::Square: return x * x;
    case UnaryOp::Reciprocal: return 1.0f / x;
    case UnaryOp::Sign: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : (x == 0.0f ? 0.0f : x));
    case UnaryOp::Log1p: return log1pf(x);
  }
  return x;
}

__device__ __forceinline__ int32_t unaryI(UnaryOp op, int32_t x) {
  switch (op) {
    case UnaryOp::Neg: return static_cast<int32_t>(0u - static_cast<uint32_t>(x));
    case UnaryOp::Abs: return x < 0 ? static_cast<int32_t>(0u - static_cast<uint32_t>(x)) : x;
    case UnaryOp::Relu: return x > 0 ? x : 0;
    case UnaryOp::Square: return static_cast<int32_t>(static_cast<uint32_t>(x) * static_cast<uint32_t>(x));
    case UnaryOp::Sign: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    default: return x;  // float-only ops are refused before reaching here (as on the CPU)
  }
}

__device__ __forceinline__ float binaryOp(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Maximum: return (a != a || b != b) ? NAN : (a > b ? a : b);
    case BinaryOp::Minimum: return (a != a || b != b) ? NAN : (a < b ? a : b);
    case BinaryOp::Pow: return powf(a, b);
    case BinaryOp::Eq: return a == b ? 1.0f : 0.0f;
    case BinaryOp::Lt: return a < b ? 1.0f : 0.0f;
    case BinaryOp::Gt: return a > b ? 1.0f : 0.0f;
  }
  return 0.0f;
}

__device__ __forceinline__ int32_t binaryOp(BinaryOp op, int32_t a, int32_t b) {
  const uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  switch (op) {
    case BinaryOp::Add: return static_cast<int32_t>(ua + ub);
    case BinaryOp::Sub: return static_cast<int32_t>(ua - ub);
    case BinaryOp::Mul: return static_cast<int32_t>(ua * ub);
    case BinaryOp::Div:
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

__device__ __forceinline__ float unaryGradF(UnaryGradOp op, float g, float s) {
  switch (op) {
    case UnaryGradOp::SigmoidGrad: return g * s * (1.0f - s);
    case UnaryGradOp::TanhGrad: return g * (1.0f - __fmul_rn(s, s));  // no FMA: the CPU rounds s*s first
    case UnaryGradOp::ReluGrad: return s > 0.0f ? g : 0.0f;
  }
  return 0.0f;
}

// Functors for launchElementwise: off[v] is the element offset in view v (in the order the
// views were handed to the launcher).
struct UnaryFloat {
  const float* x;
  float* out;
  UnaryOp op;
  __device__ void operator()(int64_t, const int64_t (&off)[2]) const { out[off[1]] = unaryF(op, x[off[0]]); }
};

struct UnaryInt {
  const int32_t* x;
  int32_t* out;
  UnaryOp op;
  __device__ void operator()(int64_t, const int64_t (&off)[2]) const { out[off[1]] = unaryI(op, x[off[0]]); }
};

struct UnaryGradFloat {
  const float* grad;
  const float* saved;
  float* out;
  UnaryGradOp op;
  __device__ void operator()(int64_t, const int64_t (&off)[3]) const {
    out[off[2]] = unaryGradF(op, grad[off[0]], saved[off[1]]);
  }
};

template <class T>
struct Binary {
  const T* a;
  const T* b;
  T* out;
  BinaryOp op;
  __device__ void operator()(int64_t, const int64_t (&off)[3]) const { out[off[2]] = binaryOp(op, a[off[0]], b[off[1]]); }
};

struct AffineFloat {
  const float* x;
  float* out;
  float alpha, beta;
  __device__ void operator()(int64_t, const int64_t (&off)[2]) const {
    out[off[1]] = __fadd_rn(__fmul_rn(alpha, x[off[0]]), beta);
  }
};

struct AffineInt {
  const int32_t* x;
  int32_t* out;
  int64_t alpha, beta;  // converted on the host exactly as the CPU converts them
  __device__ void operator()(int64_t, const int64_t (&off)[2]) const {
    // alpha*x+beta modulo 2^32, computed unsigned so that no step overflows a signed type.
    const uint64_t v = static_cast<uint64_t>(alpha) * static_cast<uint64_t>(static_cast<int64_t>(x[off[0]])) +
                       static_cast<uint64_t>(beta);
    out[off[1]] = static_cast<int32_t>(static_cast<uint32_t>(v));
  }
};

}  // namespace

void unary(const CudaContext& ctx, UnaryOp op, const TensorView& x, const TensorView& out) {
  const TensorView* views[2] = {&x, &out};
  if (x.dtype == DType::Int32) launchElementwise<2>(ctx, views, UnaryInt{x.i32(), out.i32(), op});
  else launchElementwise<2>(ctx, views, UnaryFloat{x.f32(), out.f32(), op});
}

void unaryGrad(const CudaContext& ctx, UnaryGradOp op, const TensorView& grad, const TensorView& saved,
               const TensorView& out) {
  const TensorView* views[3] = {&grad, &saved, &out};
  launchElementwise<3>(ctx, views, UnaryGradFloat{grad.f32(), saved.f32(), out.f32(), op});
}

void binary(const CudaContext& ctx, BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) {
  const TensorView* views[3] = {&a, &b, &out};
  if (a.dtype == DType::Int32) launchElementwise<3>(ctx, views, Binary<int32_t>{a.i32(), b.i32(), out.i32(), op});
  else launchElementwise<3>(ctx, views, Binary<float>{a.f32(), b.f32(), out.f32(), op});
}

void affine(const CudaContext& ctx, const TensorView& x, double alpha, double beta, const TensorView& out) {
  const TensorView* views[2] = {&x, &out};
  if (x.dtype == DType::Int32) {
    launchElementwise<2>(ctx, views,
                         AffineInt{x.i32(), out.i32(), static_cast<int64_t>(alpha), static_cast<int64_t>(beta)});
  } else {
    launchElementwise<2>(ctx, views,
                         AffineFloat{x.f32(), out.f32(), static_cast<float>(alpha), static_cast<float>(beta)});
  }
}

}  // namespace tn::cuda
