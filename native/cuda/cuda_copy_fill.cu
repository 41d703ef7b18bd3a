// Data movement, the CUDA twin of native/cpu/copy_fill.cc:
//   fill    out[i] = value                       (any strides)
//   copy    dst[i] = convert(src[i])             (any strides, float32 <-> int32; this is what makes
//                                                 transposed and narrowed views contiguous)
//   oneHot  out[r, c] = (indices[r] == c)        out contiguous [..., numClasses] float32; a row
//                                                 whose index is outside [0, numClasses) is all NaN
// float -> int32 truncates toward zero; NaN and out-of-range values give INT32_MIN, as the CPU.
#include <cmath>
#include <type_traits>

#include "cuda_copy_fill.cuh"
#include "cuda_strided.cuh"

namespace tn::cuda {
namespace {

constexpr int kOneHotBlock = 256;

__device__ __forceinline__ int32_t toInt(float f) {
  if (!(f > -2147483904.0f && f < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(f);
}

template <class T>
struct Fill {
  T* out;
  T value;
  __device__ void operator()(int64_t, const int64_t (&off)[1]) const { out[off[0]] = value; }
};

template <class S, class D>
struct Copy {
  const S* src;
  D* dst;
  __device__ void operator()(int64_t, const int64_t (&off)[2]) const {
    if constexpr (std::is_same<S, float>::value && std::is_same<D, int32_t>::value) {
      dst[off[1]] = toInt(src[off[0]]);
    } else {
      dst[off[1]] = static_cast<D>(src[off[0]]);
    }
  }
};

// One thread per output element: element e is row e / C, class e % C, so writes are coalesced.
template <class I>
static __global__ void __launch_bounds__(kOneHotBlock)
    oneHotKernel(const StridedIter<1> idx, const int32_t* __restrict__ indices, int64_t numClasses, int64_t total,
                 float* __restrict__ out) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t row = e / numClasses, cls = e - row * numClasses;
    int64_t off[1];
    idx.offsets<I>(row, off);
    const int32_t c = indices[off[0]];
    const bool ok = c >= 0 && c < numClasses;
    out[e] = ok ? (cls == c ? 1.0f : 0.0f) : NAN;
  }
}

}  // namespace

void fill(const CudaContext& ctx, const TensorView& out, double value) {
  const TensorView* views[1] = {&out};
  if (out.dtype == DType::Int32) launchElementwise<1>(ctx, views, Fill<int32_t>{out.i32(), static_cast<int32_t>(value)});
  else launchElementwise<1>(ctx, views, Fill<float>{out.f32(), static_cast<float>(value)});
}

void copy(const CudaContext& ctx, const TensorView& src, const TensorView& dst) {
  const TensorView* views[2] = {&src, &dst};
  const bool sf = src.dtype == DType::Float32, df = dst.dtype == DType::Float32;
  if (sf && df) launchElementwise<2>(ctx, views, Copy<float, float>{src.f32(), dst.f32()});
  else if (!sf && !df) launchElementwise<2>(ctx, views, Copy<int32_t, int32_t>{src.i32(), dst.i32()});
  else if (sf) launchElementwise<2>(ctx, views, Copy<float, int32_t>{src.f32(), dst.i32()});
  else launchElementwise<2>(ctx, views, Copy<int32_t, float>{src.i32(), dst.f32()});
}

void oneHot(const CudaContext& ctx, const TensorView& indices, int64_t numClasses, const TensorView& out) {
  if (numClasses < 0) throw ArgumentError("oneHot: numClasses must be non-negative");
  const int64_t rows = indices.numel();
  if (rows <= 0 || numClasses == 0) return;  // nothing to write
  if (rows > INT64_MAX / numClasses) throw ArgumentError("oneHot: output size overflows");
  const int64_t total = rows * numClasses;
  const TensorView* views[1] = {&indices};
  const StridedIter<1> it = coalesce<1>(views);
  const unsigned int grid = gridFor(ctx, total, kOneHotBlock);
  if (rows <= INT32_MAX) {
    oneHotKernel<uint32_t><<<grid, kOneHotBlock, 0, ctx.stream>>>(it, indices.i32(), numClasses, total, out.f32());
  } else {
    oneHotKernel<int64_t><<<grid, kOneHotBlock, 0, ctx.stream>>>(it, indices.i32(), numClasses, total, out.f32());
  }
  CUDA_CHECK_LAUNCH();
}

}  // namespace tn::cuda
