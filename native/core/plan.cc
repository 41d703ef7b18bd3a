#include "plan.h"

#include <cstdlib>
#include <new>
#include <string>
#include <utility>

#include "error.h"

namespace tn {
namespace {

TensorView rowsView(void* data, int64_t rows, int64_t cols) {
  TensorView v;
  v.data = data;
  v.ndim = 2;
  v.shape[0] = rows;
  v.shape[1] = cols;
  v.strides[0] = cols;
  v.strides[1] = 1;
  return v;
}

// Device memory released on scope exit, so a throwing kernel cannot leak the workspace.
class Workspace {
 public:
  Workspace(Backend* b, size_t bytes) : b_(b), bytes_(bytes), p_(bytes ? b->allocate(bytes) : nullptr) {}
  ~Workspace() {
    if (p_) b_->deallocate(p_, bytes_);
  }
  float* f32() const { return static_cast<float*>(p_); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

 private:
  Backend* b_;
  size_t bytes_;
  void* p_;
};

// Host scratch for the ping-pong buffers: one grow-only block per thread. A malloc/free of
// several MB per call interleaves with V8's ArrayBuffer allocations (also malloc, freed only
// at GC) and fragments the heap (peak RSS of a 1024-row MLP loop grew past 250 MB), and a
// fresh mapping page-faults on every call.
float* hostScratch(size_t bytes) {
  struct Buf {
    void* p = nullptr;
    size_t cap = 0;
    ~Buf() { std::free(p); }
  };
  thread_local Buf buf;
  if (bytes > buf.cap) {
    std::free(buf.p);
    buf.p = nullptr;
    buf.cap = 0;
    const size_t cap = (bytes + 65535) & ~size_t(65535);
    buf.p = std::aligned_alloc(64, cap);
    if (!buf.p) throw std::bad_alloc();
    buf.cap = cap;
  }
  return static_cast<float*>(buf.p);
}

}  // namespace

Plan::Plan(Backend* backend, std::vector<PlanStep> steps, bool prepack) : backend_(backend), steps_(std::move(steps)) {
  if (steps_.empty()) throw ArgumentError("plan: no steps");
  int64_t width = steps_.front().inFeatures;
  for (const PlanStep& s : steps_) {
    if (s.inFeatures != width) throw ArgumentError("plan: step widths do not chain");
    if (s.kind != PlanStepKind::Linear && s.outFeatures != s.inFeatures)
      throw ArgumentError("plan: only linear steps change the width");
    if (s.kind == PlanStepKind::Linear && !s.weight && s.inFeatures > 0 && s.outFeatures > 0)
      throw ArgumentError("plan: linear step without weight");
    if (s.inFeatures <= 0 || s.outFeatures <= 0) throw ArgumentError("plan: widths must be positive");
    width = s.outFeatures;
    if (s.inFeatures > maxWidth_) maxWidth_ = s.inFeatures;
    if (s.outFeatures > maxWidth_) maxWidth_ = s.outFeatures;
  }
  if (prepack)
    for (PlanStep& s : steps_)
      if (s.kind == PlanStepKind::Linear) s.packed = backend_->packLinearWeight(s.weight, s.outFeatures, s.inFeatures);
}

void Plan::run(const float* hostIn, int64_t rows, float* hostOut) const {
  if (rows <= 0) return;
  int64_t cells;
  if (__builtin_mul_overflow(rows, maxWidth_, &cells) || cells > (int64_t{1} << 40))
    throw ArgumentError("plan: batch too large");
  const size_t bufBytes = static_cast<size_t>(cells) * sizeof(float);
  // Two ping-pong buffers; on the host backend the caller's input and output are used directly
  // where possible (hostAddressable), which saves two copies on the latency path.
  const bool host = backend_->hostAddressable();
  Workspace ws(backend_, host ? 0 : 2 * bufBytes);
  float* const scratch = host ? (steps_.size() == 1 ? nullptr : hostScratch(2 * bufBytes)) : ws.f32();
  Workspace inCopy(backend_, host ? 0 : static_cast<size_t>(rows * inFeatures()) * sizeof(float));
  const float* cur = hostIn;
  if (!host) {
    backend_->copyFromHost(inCopy.f32(), hostIn, static_cast<size_t>(rows * inFeatures()) * sizeof(float));
    cur = inCopy.f32();
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    const PlanStep& s = steps_[i];
    const bool last = i + 1 == steps_.size();
    float* dst = (last && host) ? hostOut : scratch + (i % 2) * (bufBytes / sizeof(float));
    switch (s.kind) {
      case PlanStepKind::Linear: {
        MatmulArgs p;
        p.a = cur; p.b = s.weight; p.bias = s.bias; p.out = dst;
        p.m = rows; p.n = s.outFeatures; p.k = s.inFeatures;
        p.lda = s.inFeatures; p.ldb = s.inFeatures; p.ldc = s.outFeatures;
        p.transB = true;  // y = x · Wᵀ with W stored [out, in]
        p.packedB = s.packed.get();
        p.activation = s.activation;
        backend_->matmul(p);
        break;
      }
      case PlanStepKind::Activation: {
        static const UnaryOp kOps[] = {UnaryOp::Neg, UnaryOp::Sigmoid, UnaryOp::Relu, UnaryOp::Tanh};
        const auto a = static_cast<int>(s.activation);
        if (a < 1 || a > 3) throw ArgumentError("plan: unknown activation");
        backend_->unary(kOps[a], rowsView(const_cast<float*>(cur), rows, s.inFeatures), rowsView(dst, rows, s.inFeatures));
        break;
      }
      case PlanStepKind::Softmax:
      case PlanStepKind::LogSoftmax:
        backend_->softmax(rowsView(const_cast<float*>(cur), rows, s.inFeatures), 1, s.kind == PlanStepKind::LogSoftmax,
                          rowsView(dst, rows, s.inFeatures));
        break;
    }
    cur = dst;
  }
  if (!host) backend_->copyToHost(hostOut, cur, static_cast<size_t>(rows * outFeatures()) * sizeof(float));
}

}  // namespace tn
