// A forward plan: a fixed chain of layers (linear with fused bias + activation, activations,
// softmax over the feature dim) over weights already on one backend, run in one native call.
// It is what lets a whole model's forward cross the JS/native boundary once (low per-call
// overhead) and run off the JS thread (forwardAsync). Immutable after construction, so any
// number of runs may use one plan at once; each run owns its workspace.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "backend.h"

namespace tn {

enum class PlanStepKind : int32_t { Linear = 0, Activation = 1, Softmax = 2, LogSoftmax = 3 };

struct PlanStep {
  PlanStepKind kind = PlanStepKind::Linear;
  int64_t inFeatures = 0, outFeatures = 0;  // width before and after the step
  const float* weight = nullptr;            // Linear: [out, in] row-major on the plan's backend
  const float* bias = nullptr;              // Linear: [out] or nullptr
  Activation activation = Activation::None; // Linear (fused epilogue) and Activation steps
  std::shared_ptr<PackedWeight> packed;     // Linear: the weight packed by the backend (may be null)
};

class Plan {
 public:
  // prepack: pack each Linear weight once now (Backend::packLinearWeight). The packed copies do
  // not follow later writes to the weights; the caller makes a new plan after such writes.
  Plan(Backend* backend, std::vector<PlanStep> steps, bool prepack = false);
  int64_t inFeatures() const { return steps_.front().inFeatures; }
  int64_t outFeatures() const { return steps_.back().outFeatures; }
  Backend* backend() const { return backend_; }
  // in: rows × inFeatures host floats; out: rows × outFeatures host floats. Blocks until done.
  void run(const float* hostIn, int64_t rows, float* hostOut) const;

 private:
  Backend* backend_;
  std::vector<PlanStep> steps_;
  int64_t maxWidth_ = 0;
};

}  // namespace tn
