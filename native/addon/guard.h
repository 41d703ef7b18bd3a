// Converts native failures into JS exceptions at the N-API boundary: tn::ArgumentError becomes
// a RangeError, other tn::Error and std::exception an Error. Nothing escapes as an abort.
#pragma once
#include <napi.h>

#include <new>
#include <string>

#include "../core/error.h"

namespace tn::addon {

template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgumentError& e) {
    throw Napi::RangeError::New(info.Env(), e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

// Runs the JS-thread completion (OnOK/OnError) of async work. While a worker_thread is being
// terminated, N-API calls fail; node-addon-api turns that into a C++ exception, and then cannot
// throw it into JS either, which ends in std::terminate for the whole process (found by
// test/hardening/concurrency.test.ts). The settlement is dropped instead: nobody is left to
// observe the promise.
template <class F>
void settleSafely(F&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

inline void requireArgs(const Napi::CallbackInfo& info, size_t n, const char* fn) {
  if (info.Length() < n)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": expected " + std::to_string(n) +
                                               " arguments, got " + std::to_string(info.Length()));
}

inline double numberArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (!info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

// An integer argument in [lo, hi].
inline int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t lo,
                      int64_t hi) {
  const double v = numberArg(info, i, fn, name);
  if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || v != static_cast<double>(static_cast<int64_t>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + name + " out of range: " + std::to_string(v));
  return static_cast<int64_t>(v);
}

inline bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (!info[i].IsBoolean())
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

}  // namespace tn::addon
