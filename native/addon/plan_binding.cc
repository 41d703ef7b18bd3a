// Forward plans from JS: createPlan(desc, storages, prepack) → handle; runPlan(plan, input, rows, output)
// runs synchronously; runPlanAsync(...) runs on the libuv pool and resolves a Promise, keeping
// the plan, its weights, the input and the output alive until it settles.
//
// JS can detach (transfer) or shrink the memory of a typed array at any time, so a run never
// trusts pointers taken earlier: every run re-checks that each weight storage still has the
// memory the plan points into, and the async run works on native copies of the input and the
// output (the output is copied back on the JS thread, after checking the array is still there).
// Device-buffer weights are pinned while an async run uses them (deviceFree waits for it).
//
// desc (Float64Array): [stepCount, then per step: kind, inFeatures, outFeatures, weightIndex,
// biasIndex, activation], indices into `storages` (-1 = none).
#include <napi.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "../core/error.h"
#include "../core/plan.h"
#include "../cpu/parallel.h"
#include "descriptors.h"
#include "guard.h"

namespace tn::addon {
namespace {

const napi_type_tag kPlanTag = {0x746e706c616e0001ULL, 0x706c616e686e646cULL};

struct PlanHolder {
  std::unique_ptr<Plan> plan;
  std::vector<Napi::Reference<Napi::Value>> keepAlive;  // the weight storages
  std::vector<Storage> bound;                           // their memory when the plan was made
  std::vector<DeviceBuffer*> devices;                   // per storage: its DeviceBuffer, or null

  // Throws unless every weight storage still holds the memory the plan reads: a typed array
  // whose buffer was transferred (postMessage, structuredClone) or shrunk, or a device buffer
  // freed since createPlan, would make the plan read freed memory. This runs on every run (the
  // inference fast path), so it is two N-API calls per host weight and none per device weight.
  void checkWeights(napi_env env, const char* fn) const {
    for (size_t i = 0; i < keepAlive.size(); ++i) {
      const void* base = nullptr;
      size_t bytes = 0;
      if (const DeviceBuffer* d = devices[i]) {
        base = d->ptr;
        bytes = d->bytes;
      } else {
        napi_value v;
        napi_typedarray_type t;
        size_t length = 0;
        void* data = nullptr;
        if (napi_get_reference_value(env, keepAlive[i], &v) == napi_ok && v &&
            napi_get_typedarray_info(env, v, &t, &length, &data, nullptr, nullptr) == napi_ok) {
          base = length ? data : nullptr;
          bytes = length * 4;
        }
      }
      if (base != bound[i].base || bytes < bound[i].bytes)
        throw Error(std::string(fn) + ": a weight's memory was freed, detached or replaced since the plan was made");
    }
  }
};

PlanHolder* planOf(const Napi::Value& v) {
  bool tagged = false;
  if (v.IsExternal()) napi_check_object_type_tag(v.Env(), v, &kPlanTag, &tagged);
  if (!tagged) throw ArgumentError("plan must be a handle returned by createPlan");
  return v.As<Napi::External<PlanHolder>>().Data();
}

int64_t descInt(const double* d, size_t n, size_t& pos, double lo, double hi, const char* what) {
  if (pos >= n) throw ArgumentError(std::string("createPlan: descriptor too short at ") + what);
  const double v = d[pos++];
  if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<int64_t>(v)))
    throw ArgumentError(std::string("createPlan: bad ") + what);
  return static_cast<int64_t>(v);
}

Napi::Value CreatePlan(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgs(info, 3, "createPlan");
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw Napi::TypeError::New(info.Env(), "createPlan: desc must be a Float64Array");
    if (!info[1].IsArray()) throw Napi::TypeError::New(info.Env(), "createPlan: storages must be an array");
    const auto descArr = info[0].As<Napi::Float64Array>();
    const double* d = descArr.Data();
    const size_t n = descArr.ElementLength();
    const auto arr = info[1].As<Napi::Array>();
    std::vector<Storage> storages;
    auto holder = std::make_unique<PlanHolder>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Value v = arr.Get(i);
      storages.push_back(storageOf(v, "storage"));
      if (storages.back().kind == DeviceKind::Cpu && !storages.back().isFloatArray)
        throw ArgumentError("createPlan: weights must be float32");
      holder->keepAlive.push_back(Napi::Persistent(v));
      holder->bound.push_back(storages.back());
      holder->devices.push_back(isDeviceBuffer(v) ? deviceBufferOf(v, "storage") : nullptr);
    }
    size_t pos = 0;
    const int64_t count = descInt(d, n, pos, 1, 4096, "step count");
    std::vector<PlanStep> steps;
    const Storage* first = nullptr;
    auto bind = [&](int64_t idx, int64_t elems, const char* what) -> const float* {
      if (idx < 0) return nullptr;
      if (idx >= static_cast<int64_t>(storages.size())) throw ArgumentError(std::string("createPlan: ") + what + " index out of range");
      const Storage& s = storages[static_cast<size_t>(idx)];
      if (first && s.kind != first->kind) throw ArgumentError("createPlan: weights on different devices");
      if (!first) first = &s;
      if (s.bytes / sizeof(float) < static_cast<size_t>(elems))
        throw ArgumentError(std::string("createPlan: ") + what + " storage too small");
      return static_cast<const float*>(s.base);
    };
    for (int64_t i = 0; i < count; ++i) {
      PlanStep s;
      s.kind = static_cast<PlanStepKind>(descInt(d, n, pos, 0, 3, "step kind"));
      s.inFeatures = descInt(d, n, pos, 1, 1 << 30, "inFeatures");
      s.outFeatures = descInt(d, n, pos, 1, 1 << 30, "outFeatures");
      const int64_t w = descInt(d, n, pos, -1, 1 << 20, "weight index");
      const int64_t b = descInt(d, n, pos, -1, 1 << 20, "bias index");
      s.activation = static_cast<Activation>(descInt(d, n, pos, 0, 3, "activation"));
      if (s.kind == PlanStepKind::Linear) {
        if (w < 0) throw ArgumentError("createPlan: linear step needs a weight");
        s.weight = bind(w, s.inFeatures * s.outFeatures, "weight");
        s.bias = bind(b, s.outFeatures, "bias");
      }
      steps.push_back(s);
    }
    Backend* backend = backendFor(first ? first->kind : DeviceKind::Cpu);
    if (!backend) throw Error("createPlan: no backend for the weights' device");
    // prepack: the caller vouches that it makes a new plan whenever a weight is written
    // (lib/serve/plan.ts compares storage versions).
    const bool prepack = boolArg(info, 2, "createPlan", "prepack");
    holder->plan = std::make_unique<Plan>(backend, std::move(steps), prepack);
    auto handle = Napi::External<PlanHolder>::New(info.Env(), holder.release(), [](Napi::Env, PlanHolder* p) { delete p; });
    napi_type_tag_object(info.Env(), handle, &kPlanTag);
    return handle;
  });
}

struct RunArgs {
  PlanHolder* holder;
  const float* in;
  float* out;
  int64_t rows;
};

RunArgs runArgs(const Napi::CallbackInfo& info, const char* fn) {
  requireArgs(info, 4, fn);
  RunArgs r;
  r.holder = planOf(info[0]);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": input must be a Float32Array");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": output must be a Float32Array");
  r.rows = intArg(info, 2, fn, "rows", 0, int64_t{1} << 40);
  const auto in = info[1].As<Napi::Float32Array>();
  auto out = info[3].As<Napi::Float32Array>();
  const Plan& p = *r.holder->plan;
  int64_t inCells = 0, outCells = 0;  // rows × width without signed overflow (rows ≤ 2^40, width ≤ 2^30)
  if (__builtin_mul_overflow(r.rows, p.inFeatures(), &inCells) || static_cast<int64_t>(in.ElementLength()) < inCells)
    throw ArgumentError(std::string(fn) + ": input holds fewer than rows × inFeatures values");
  if (__builtin_mul_overflow(r.rows, p.outFeatures(), &outCells) || static_cast<int64_t>(out.ElementLength()) < outCells)
    throw ArgumentError(std::string(fn) + ": output holds fewer than rows × outFeatures values");
  r.holder->checkWeights(info.Env(), fn);
  r.in = in.Data();
  r.out = out.Data();
  return r;
}

Napi::Value RunPlan(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const RunArgs r = runArgs(info, "runPlan");
    r.holder->plan->run(r.in, r.rows, r.out);
    return info.Env().Undefined();
  });
}

// Runs a plan on the libuv pool over native copies of the input and output: JS may detach or
// shrink either array while the run is in flight (the output is checked again before the copy
// back). The plan handle stays referenced, so its weights' keep-alive references do too, and
// device-buffer weights are pinned against deviceFree until the run settles.
class PlanWorker final : public Napi::AsyncWorker {
 public:
  PlanWorker(const Napi::CallbackInfo& info, const RunArgs& r)
      : Napi::AsyncWorker(info.Env(), "tensornode.runPlan"), deferred_(Napi::Promise::Deferred::New(info.Env())),
        holder_(r.holder), rows_(r.rows),
        input_(r.in, r.in + static_cast<size_t>(r.rows * r.holder->plan->inFeatures())),
        output_(static_cast<size_t>(r.rows * r.holder->plan->outFeatures())) {
    for (size_t i : {0, 3}) refs_.push_back(Napi::Persistent(info[i]));
    for (const auto& ref : holder_->keepAlive) {
      const Napi::Value v = ref.Value();
      if (isDeviceBuffer(v)) pinned_.push_back(pinDeviceBuffer(v));
    }
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    // Leave one core to the JS thread (when there is more than one) so the event loop keeps
    // running while the forward does.
    cpu::ScopedThreadCap cap(std::max(1, cpu::maxThreads() - 1));
    try {
      holder_->plan->run(input_.data(), rows_, output_.data());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    settleSafely([&] {
      unpin();
      // The output array as it is now: still a Float32Array with room for the result?
      napi_typedarray_type t;
      size_t length = 0;
      void* data = nullptr;
      const napi_status st = napi_get_typedarray_info(Env(), refs_[1].Value(), &t, &length, &data, nullptr, nullptr);
      if (st != napi_ok || t != napi_float32_array || length < output_.size() || (!data && !output_.empty())) {
        deferred_.Reject(Napi::Error::New(Env(), "runPlanAsync: the output array was detached or shrunk while the plan ran").Value());
        return;
      }
      if (!output_.empty()) std::copy(output_.begin(), output_.end(), static_cast<float*>(data));
      deferred_.Resolve(Env().Undefined());
    });
  }
  void OnError(const Napi::Error& e) override {
    settleSafely([&] {
      unpin();
      deferred_.Reject(e.Value());
    });
  }

 private:
  void unpin() {
    for (DeviceBuffer* b : pinned_) unpinDeviceBuffer(Env(), b);
    pinned_.clear();
  }
  Napi::Promise::Deferred deferred_;
  PlanHolder* holder_;
  int64_t rows_;
  std::vector<float> input_, output_;
  std::vector<Napi::Reference<Napi::Value>> refs_;  // the plan handle and the output array
  std::vector<DeviceBuffer*> pinned_;
};

Napi::Value RunPlanAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const RunArgs r = runArgs(info, "runPlanAsync");
    auto* w = new PlanWorker(info, r);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  });
}

}  // namespace

void registerPlans(Napi::Env env, Napi::Object exports) {
  exports.Set("createPlan", Napi::Function::New(env, CreatePlan, "createPlan"));
  exports.Set("runPlan", Napi::Function::New(env, RunPlan, "runPlan"));
  exports.Set("runPlanAsync", Napi::Function::New(env, RunPlanAsync, "runPlanAsync"));
}

}  // namespace tn::addon
