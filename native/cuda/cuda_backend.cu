// The CUDA backend (tn::Backend on device 0): a status probe that never throws, the caching
// allocator, host<->device copies, and forwarding of every op to its cuda_<family>.cu file.
//
// Execution model: one non-blocking stream per device, created on first use; every kernel and
// copy goes to it, so ops run in the order they were issued and blocks recycled by the
// allocator are safe to reuse. Only copyToHost, copyFromHost and synchronize() wait (for this
// stream, never the whole device). Kernel faults surface as tn::Error at the next of those.
#include <cuda_runtime.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <string>

#include "../core/backend.h"
#include "../core/error.h"
#include "cuda_allocator.cuh"
#include "cuda_check.cuh"
#include "cuda_common.cuh"
#include "cuda_copy_fill.cuh"
#include "cuda_elementwise.cuh"
#include "cuda_matmul.cuh"
#include "cuda_random.cuh"
#include "cuda_reduce.cuh"
#include "cuda_softmax.cuh"

namespace tn {
namespace cuda {
namespace {

constexpr int kDevice = 0;  // Backend has no device index: everything runs on device 0

// Launched once by the probe: fails with cudaErrorNoKernelImageForDevice when this build has no
// SASS or PTX the GPU can run (every kernel in the addon is built for the same architectures).
static __global__ void probeKernel() {}

std::string versionString(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

std::string errorText(cudaError_t err) { return std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err); }

std::string deviceCountReason(cudaError_t err) {
  switch (err) {
    case cudaErrorInsufficientDriver: return "CUDA driver not found or too old (cudaErrorInsufficientDriver)";
    case cudaErrorNoDevice: return "no CUDA device found (cudaErrorNoDevice)";
    default: return "cudaGetDeviceCount failed: " + errorText(err);
  }
}

// Everything status() reports, computed once. Never throws: each failure becomes `reason`.
BackendStatus probe() {
  BackendStatus s;
  try {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      cudaGetLastError();
      s.reason = deviceCountReason(err);
      return s;
    }
    if (count <= 0) {
      s.reason = deviceCountReason(cudaErrorNoDevice);
      return s;
    }
    s.deviceCount = count;
    cudaDeviceProp prop{};
    err = cudaGetDeviceProperties(&prop, kDevice);
    if (err != cudaSuccess) {
      cudaGetLastError();
      s.reason = "cudaGetDeviceProperties failed: " + errorText(err);
      return s;
    }
    int driver = 0, runtime = 0;
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    cudaGetLastError();
    const std::string cc = std::to_string(prop.major) + "." + std::to_string(prop.minor);
    s.deviceName = prop.name;
    s.details = "compute capability " + cc + ", driver " + versionString(driver) + ", runtime " +
                versionString(runtime) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB";

    err = cudaSetDevice(kDevice);
    if (err == cudaSuccess) {
      probeKernel<<<1, 1>>>();
      err = cudaGetLastError();
      if (err == cudaSuccess) err = cudaStreamSynchronize(0);
    }
    if (err != cudaSuccess) {
      cudaGetLastError();
      const std::string arch = std::to_string(prop.major) + std::to_string(prop.minor);
      if (err == cudaErrorNoKernelImageForDevice || err == cudaErrorInvalidDeviceFunction) {
        s.reason = "no kernel image for this GPU (compute capability " + cc + "); rebuild with TENSORNODE_CUDA_ARCHS=" + arch;
      } else if (err == cudaErrorUnsupportedPtxVersion) {
        s.reason = "the NVIDIA driver is too old to compile this build's PTX for compute capability " + cc +
                   " (cudaErrorUnsupportedPtxVersion); update the driver or rebuild with TENSORNODE_CUDA_ARCHS=" + arch;
      } else {
        s.reason = "CUDA device initialisation failed: " + errorText(err);
      }
      return s;
    }
    s.usable = true;
  } catch (const std::exception& e) {  // e.g. bad_alloc building the strings
    s.usable = false;
    s.reason = std::string("CUDA probe failed: ") + e.what();
  }
  return s;
}

class CudaBackend final : public Backend {
 public:
  const char* name() const override { return "cuda"; }
  BackendStatus status() override { return cachedStatus(); }

  void* allocate(size_t bytes) override {
    context();
    return allocator_.allocate(bytes);
  }
  void deallocate(void* ptr, size_t) override { allocator_.deallocate(ptr); }

  // The host pointer may be a JS ArrayBuffer that V8 can move or free once we return, so the
  // copy must be complete before returning: queue it on the stream (after earlier work on the
  // destination) and wait for it.
  void copyFromHost(void* dst, const void* src, size_t bytes) override {
    const CudaContext& ctx = context();
    if (bytes == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, ctx.stream));
    CUDA_CHECK(cudaStreamSynchronize(ctx.stream));
  }
  void copyToHost(void* dst, const void* src, size_t bytes) override {
    const CudaContext& ctx = context();
    if (bytes == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, ctx.stream));
    CUDA_CHECK(cudaStreamSynchronize(ctx.stream));
  }
  void synchronize() override {
    if (!streamReady_.load(std::memory_order_acquire)) return;  // nothing was ever queued
    CUDA_CHECK(cudaStreamSynchronize(ctx_.stream));
  }

  void matmul(const MatmulArgs& args) override { cuda::matmul(context(), args); }
  void unary(UnaryOp op, const TensorView& x, const TensorView& out) override { cuda::unary(context(), op, x, out); }
  void unaryGrad(UnaryGradOp op, const TensorView& grad, const TensorView& saved, const TensorView& out) override {
    cuda::unaryGrad(context(), op, grad, saved, out);
  }
  void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) override {
    cuda::binary(context(), op, a, b, out);
  }
  void affine(const TensorView& x, double alpha, double beta, const TensorView& out) override {
    cuda::affine(context(), x, alpha, beta, out);
  }
  void reduce(ReduceOp op, const TensorView& x, int dim, const TensorView& out, const TensorView* indices) override {
    cuda::reduce(context(), op, x, dim, out, indices);
  }
  void softmax(const TensorView& x, int dim, bool log, const TensorView& out) override {
    cuda::softmax(context(), x, dim, log, out);
  }
  void softmaxGrad(const TensorView& grad, const TensorView& y, int dim, bool log, const TensorView& out) override {
    cuda::softmaxGrad(context(), grad, y, dim, log, out);
  }
  void fill(const TensorView& out, double value) override { cuda::fill(context(), out, value); }
  void copy(const TensorView& src, const TensorView& dst) override { cuda::copy(context(), src, dst); }
  void oneHot(const TensorView& indices, int64_t numClasses, const TensorView& out) override {
    cuda::oneHot(context(), indices, numClasses, out);
  }
  void uniform(const TensorView& out, uint64_t seed, uint64_t offset, float low, float high) override {
    cuda::uniform(context(), out, seed, offset, low, high);
  }

 private:
  const BackendStatus& cachedStatus() {
    std::call_once(statusOnce_, [this] { status_ = probe(); });
    return status_;
  }

  // Every method that touches the device goes through here: throws (with the probe's reason)
  // when CUDA is unusable, makes device 0 current on the calling thread (ops also arrive from
  // libuv worker threads), and creates the stream on first use.
  const CudaContext& context() {
    const BackendStatus& s = cachedStatus();
    if (!s.usable) throw Error("CUDA backend is not usable: " + s.reason);
    thread_local bool deviceSet = false;
    if (!deviceSet) {
      CUDA_CHECK(cudaSetDevice(kDevice));
      deviceSet = true;
    }
    std::call_once(streamOnce_, [this] {
      int sms = 1;
      CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, kDevice));
      CUDA_CHECK(cudaStreamCreateWithFlags(&ctx_.stream, cudaStreamNonBlocking));
      ctx_.smCount = sms > 0 ? sms : 1;
      streamReady_.store(true, std::memory_order_release);
    });
    return ctx_;
  }

  std::once_flag statusOnce_, streamOnce_;
  BackendStatus status_;
  CudaContext ctx_;
  std::atomic<bool> streamReady_{false};
  CachingAllocator allocator_;
};

}  // namespace
}  // namespace cuda

// Called by core/registry.cc when the addon is built with TENSORNODE_WITH_CUDA. Cheap: the
// CUDA runtime is first touched by status() or the first op, never at load.
Backend* createCudaBackend() { return new cuda::CudaBackend(); }

}  // namespace tn
