// The one interface every backend implements. The addon layer picks a backend through the
// registry (registry.h) by the kind of buffer it was handed; nothing above this file
// switches over devices.
//
// Conventions every implementation follows:
//  - Views may be strided (stride 0 = broadcast). Outputs are written through their own view.
//  - Inputs and outputs of one call live on this backend's device.
//  - Methods throw tn::Error on failure and never abort.
//  - Calls are asynchronous with respect to the host where the device allows it; only
//    copyToHost and synchronize wait.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ops.h"
#include "tensor_view.h"

namespace tn {

struct BackendStatus {
  bool usable = false;      // can run kernels now
  int deviceCount = 0;
  std::string reason;       // why it is not usable ("" when usable)
  std::string deviceName;   // e.g. "NVIDIA H100 80GB HBM3" or the CPU model
  std::string details;      // driver/runtime versions, compute capability, ...
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;  // "cpu" or "cuda"
  virtual BackendStatus status() = 0;
  // True when device memory is ordinary host memory (kernels can read JS buffers directly).
  virtual bool hostAddressable() const { return false; }

  // Memory. allocate never returns nullptr for bytes > 0 (throws instead).
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* ptr, size_t bytes) = 0;
  virtual void copyFromHost(void* dst, const void* src, size_t bytes) = 0;
  virtual void copyToHost(void* dst, const void* src, size_t bytes) = 0;
  virtual void synchronize() = 0;

  // out = op(a) · op(b) (+ bias, activation); see MatmulArgs.
  virtual void matmul(const MatmulArgs& args) = 0;
  // W [out, in] (row-major, this backend's memory) packed for matmul(x, Wᵀ), or nullptr when the
  // backend has no such layout. The packed copy does not follow later writes to W.
  virtual std::shared_ptr<PackedWeight> packLinearWeight(const float* w, int64_t out, int64_t in) {
    (void)w; (void)out; (void)in;
    return nullptr;
  }
  // out[i] = f(x[i]); x and out have the same shape.
  virtual void unary(UnaryOp op, const TensorView& x, const TensorView& out) = 0;
  // out[i] = f(grad[i], saved[i]); all three have the same shape.
  virtual void unaryGrad(UnaryGradOp op, const TensorView& grad, const TensorView& saved,
                         const TensorView& out) = 0;
  // out[i] = a[i] op b[i]; a and b are already expanded (stride 0) to out's shape.
  virtual void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) = 0;
  // out[i] = alpha * x[i] + beta (scalar affine; covers x+c, x*c, c-x, ...).
  virtual void affine(const TensorView& x, double alpha, double beta, const TensorView& out) = 0;
  // Reduces x over dimension `dim`; out (and indices, when given) have x's shape without dim.
  // Argmax/Argmin write int32 into out; Max/Min also write int32 positions into indices.
  virtual void reduce(ReduceOp op, const TensorView& x, int dim, const TensorView& out,
                      const TensorView* indices) = 0;
  // Numerically stable softmax or log-softmax of x over `dim`.
  virtual void softmax(const TensorView& x, int dim, bool log, const TensorView& out) = 0;
  // Backward of softmax (y = softmax output) or log-softmax (y = log-softmax output) over dim.
  virtual void softmaxGrad(const TensorView& grad, const TensorView& y, int dim, bool log,
                           const TensorView& out) = 0;
  virtual void fill(const TensorView& out, double value) = 0;
  // dst[i] = src[i] with dtype conversion; the general strided (contiguous-making) copy.
  virtual void copy(const TensorView& src, const TensorView& dst) = 0;
  // out[..., c] = (indices[...] == c) ? 1 : 0 for c in [0, numClasses); out float32, last dim
  // numClasses. An index outside [0, numClasses) fills its row with NaN (never writes out of bounds).
  virtual void oneHot(const TensorView& indices, int64_t numClasses, const TensorView& out) = 0;
  // Uniform [low, high) from a counter-based generator (Philox4x32-10) keyed by seed; element i of
  // the row-major enumeration uses counter offset + i, so CPU and CUDA fill identical values.
  virtual void uniform(const TensorView& out, uint64_t seed, uint64_t offset, float low, float high) = 0;
};

}  // namespace tn
