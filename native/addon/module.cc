// Addon entry point. N-API modules are context-aware: this runs once per JS environment
// (main thread and each worker_thread); backends are process-wide and created once.
#include <napi.h>

#include "../core/registry.h"
#include "../cpu/parallel.h"
#include "guard.h"

namespace tn::addon {

void registerOps(Napi::Env env, Napi::Object exports);
void registerMemory(Napi::Env env, Napi::Object exports);
void registerPlans(Napi::Env env, Napi::Object exports);

namespace {

Napi::Object statusObject(Napi::Env env, Backend* b, const char* name) {
  auto o = Napi::Object::New(env);
  o.Set("name", name);
  if (!b) {
    o.Set("compiled", false);
    o.Set("usable", false);
    o.Set("deviceCount", 0);
    o.Set("reason", "this addon was built without the " + std::string(name) + " backend");
    o.Set("deviceName", "");
    o.Set("details", "");
    return o;
  }
  const BackendStatus s = b->status();
  o.Set("compiled", true);
  o.Set("usable", s.usable);
  o.Set("deviceCount", s.deviceCount);
  o.Set("reason", s.reason);
  o.Set("deviceName", s.deviceName);
  o.Set("details", s.details);
  return o;
}

// backendStatus(device) → { name, compiled, usable, deviceCount, reason, deviceName, details }
Napi::Value BackendStatusFn(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgs(info, 1, "backendStatus");
    const auto kind = static_cast<DeviceKind>(intArg(info, 0, "backendStatus", "device", 0, 1));
    return statusObject(info.Env(), backendFor(kind), kind == DeviceKind::Cpu ? "cpu" : "cuda");
  });
}

Napi::Value CompiledBackends(const Napi::CallbackInfo& info) {
  const auto names = compiledBackends();
  auto arr = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) arr.Set(static_cast<uint32_t>(i), names[i]);
  return arr;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    requireArgs(info, 1, "setNumThreads");
    cpu::setMaxThreads(static_cast<int>(intArg(info, 0, "setNumThreads", "n", 1, 1024)));
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu::maxThreads());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  registerBuiltinBackends();
  registerOps(env, exports);
  registerMemory(env, exports);
  registerPlans(env, exports);
  exports.Set("backendStatus", Napi::Function::New(env, BackendStatusFn, "backendStatus"));
  exports.Set("compiledBackends", Napi::Function::New(env, CompiledBackends, "compiledBackends"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace
}  // namespace tn::addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tn::addon::Init(env, exports); }
NODE_API_MODULE(tensornode, InitModule)
