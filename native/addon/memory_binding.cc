// Device buffers as JS handles: allocation through the backend (the CUDA one caches), the
// bytes reported to V8 as external memory so GC pressure follows device use, explicit free for
// dispose() and a GC finalizer as a backstop; host↔device copies.
#include <napi.h>

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "../core/error.h"
#include "descriptors.h"
#include "guard.h"

namespace tn::addon {

const napi_type_tag* deviceBufferTag();

namespace {

std::atomic<int64_t> gLiveBytes[2];
std::atomic<int64_t> gLiveBuffers[2];

DeviceKind kindArg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  const int64_t k = intArg(info, i, fn, "device", 0, 1);
  return static_cast<DeviceKind>(k);
}

void releaseBuffer(DeviceBuffer* buf) {
  if (!buf->ptr && buf->bytes == 0) return;
  if (Backend* b = backendFor(buf->kind)) {
    try {
      if (buf->ptr) b->deallocate(buf->ptr, buf->bytes);
    } catch (...) {
      // A failing free (e.g. the device was lost) must not escape a finalizer.
    }
  }
  gLiveBytes[static_cast<int>(buf->kind)] -= static_cast<int64_t>(buf->bytes);
  gLiveBuffers[static_cast<int>(buf->kind)] -= 1;
  buf->ptr = nullptr;
  buf->bytes = 0;
}

// deviceAlloc(device, bytes) → handle
Napi::Value DeviceAlloc(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const char* fn = "deviceAlloc";
    requireArgs(info, 2, fn);
    const DeviceKind kind = kindArg(info, 0, fn);
    const int64_t bytes = intArg(info, 1, fn, "bytes", 0, int64_t{1} << 46);
    Backend* b = backendFor(kind);
    if (!b) throw Error("deviceAlloc: this addon was built without that device's backend");
    auto* buf = new DeviceBuffer();
    try {
      buf->ptr = bytes > 0 ? b->allocate(static_cast<size_t>(bytes)) : nullptr;
    } catch (...) {
      delete buf;
      throw;
    }
    buf->bytes = static_cast<size_t>(bytes);
    buf->kind = kind;
    gLiveBytes[static_cast<int>(kind)] += bytes;
    gLiveBuffers[static_cast<int>(kind)] += 1;
    Napi::Env env = info.Env();
    auto handle = Napi::External<DeviceBuffer>::New(env, buf, [](Napi::Env e, DeviceBuffer* p) {
      const int64_t held = static_cast<int64_t>(p->bytes);
      releaseBuffer(p);
      if (held > 0) Napi::MemoryManagement::AdjustExternalMemory(e, -held);
      delete p;
    });
    napi_type_tag_object(env, handle, deviceBufferTag());
    if (bytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
    return handle;
  });
}

// deviceFree(handle): frees now (or, while async work uses the buffer, when that settles); the
// finalizer then finds nothing to do.
Napi::Value DeviceFree(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    requireArgs(info, 1, "deviceFree");
    DeviceBuffer* buf = deviceBufferOf(info[0], "handle");
    if (buf->pins > 0) {
      buf->freePending = true;
      return info.Env().Undefined();
    }
    const int64_t held = static_cast<int64_t>(buf->bytes);
    releaseBuffer(buf);
    if (held > 0) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -held);
    return info.Env().Undefined();
  });
}

// Shared checks for upload/download: handle, byte offset, host typed array; returns byte count.
size_t transferArgs(const Napi::CallbackInfo& info, const char* fn, DeviceBuffer** buf, size_t* offset, void** host) {
  requireArgs(info, 3, fn);
  *buf = deviceBufferOf(info[0], "handle");
  if ((*buf)->ptr == nullptr && (*buf)->bytes == 0 && !info[2].IsTypedArray())
    throw ArgumentError(std::string(fn) + ": buffer was disposed");
  *offset = static_cast<size_t>(intArg(info, 1, fn, "byteOffset", 0, int64_t{1} << 46));
  if (!info[2].IsTypedArray()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": host must be a TypedArray");
  const auto ta = info[2].As<Napi::TypedArray>();
  const size_t bytes = ta.ByteLength();
  if (*offset > (*buf)->bytes || bytes > (*buf)->bytes - *offset)
    throw ArgumentError(std::string(fn) + ": " + std::to_string(bytes) + " bytes at offset " + std::to_string(*offset) +
                        " exceed the device buffer's " + std::to_string((*buf)->bytes));
  *host = bytes == 0 ? nullptr : static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return bytes;
}

// upload(handle, byteOffset, hostTypedArray)
Napi::Value Upload(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    DeviceBuffer* buf;
    size_t offset;
    void* host;
    const size_t bytes = transferArgs(info, "upload", &buf, &offset, &host);
    if (bytes > 0) backendFor(buf->kind)->copyFromHost(static_cast<uint8_t*>(buf->ptr) + offset, host, bytes);
    return info.Env().Undefined();
  });
}

// download(handle, byteOffset, hostTypedArray): waits for pending device work.
Napi::Value Download(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    DeviceBuffer* buf;
    size_t offset;
    void* host;
    const size_t bytes = transferArgs(info, "download", &buf, &offset, &host);
    if (bytes > 0) backendFor(buf->kind)->copyToHost(host, static_cast<uint8_t*>(buf->ptr) + offset, bytes);
    return info.Env().Undefined();
  });
}

// Reads device memory into a host typed array off the JS thread. The worker keeps the device
// handle referenced and the buffer pinned (deviceFree waits) until it settles, and reads into a
// native staging copy: the host array's memory can be detached by JS meanwhile, so it is looked
// up again, and checked, on the JS thread before the copy into it.
class DownloadWorker final : public Napi::AsyncWorker {
 public:
  DownloadWorker(Napi::Env env, Napi::Value handle, Napi::Value hostArray, DeviceBuffer* buf, size_t offset, size_t bytes)
      : Napi::AsyncWorker(env, "tensornode.download"), deferred_(Napi::Promise::Deferred::New(env)),
        handleRef_(Napi::Persistent(handle.As<Napi::Object>())), hostRef_(Napi::Persistent(hostArray.As<Napi::Object>())),
        buf_(pinDeviceBuffer(handle)), offset_(offset), staging_(bytes) {
    (void)buf;
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      if (!buf_->ptr) throw Error("download: buffer was disposed before the read ran");
      if (!staging_.empty())
        backendFor(buf_->kind)->copyToHost(staging_.data(), static_cast<uint8_t*>(buf_->ptr) + offset_, staging_.size());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    settleSafely([&] {
      unpinDeviceBuffer(Env(), buf_);
      const auto ta = hostRef_.Value().As<Napi::TypedArray>();
      if (ta.ByteLength() < staging_.size()) {
        deferred_.Reject(Napi::Error::New(Env(), "downloadAsync: the host array was detached or shrunk while the read ran").Value());
        return;
      }
      if (!staging_.empty())
        std::memcpy(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), staging_.data(), staging_.size());
      deferred_.Resolve(Env().Undefined());
    });
  }
  void OnError(const Napi::Error& e) override {
    settleSafely([&] {
      unpinDeviceBuffer(Env(), buf_);
      deferred_.Reject(e.Value());
    });
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference handleRef_, hostRef_;
  DeviceBuffer* buf_;
  size_t offset_;
  std::vector<uint8_t> staging_;
};

// downloadAsync(handle, byteOffset, hostTypedArray) → Promise<void>
Napi::Value DownloadAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    DeviceBuffer* buf;
    size_t offset;
    void* host;
    const size_t bytes = transferArgs(info, "downloadAsync", &buf, &offset, &host);
    (void)host;
    auto* w = new DownloadWorker(info.Env(), info[0], info[2], buf, offset, bytes);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  });
}

// deviceStats(device) → { liveBytes, liveBuffers }
Napi::Value DeviceStats(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgs(info, 1, "deviceStats");
    const int k = static_cast<int>(kindArg(info, 0, "deviceStats"));
    auto o = Napi::Object::New(info.Env());
    o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(gLiveBytes[k].load())));
    o.Set("liveBuffers", Napi::Number::New(info.Env(), static_cast<double>(gLiveBuffers[k].load())));
    return o;
  });
}

Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    requireArgs(info, 1, "synchronize");
    const DeviceKind kind = kindArg(info, 0, "synchronize");
    if (Backend* b = backendFor(kind)) b->synchronize();
    return info.Env().Undefined();
  });
}

}  // namespace

DeviceBuffer* pinDeviceBuffer(const Napi::Value& v) {
  DeviceBuffer* buf = deviceBufferOf(v, "handle");
  buf->pins += 1;
  return buf;
}

void unpinDeviceBuffer(Napi::Env env, DeviceBuffer* buf) {
  if (--buf->pins > 0 || !buf->freePending) return;
  buf->freePending = false;
  const int64_t held = static_cast<int64_t>(buf->bytes);
  releaseBuffer(buf);
  if (held > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -held);
}

void registerMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceAlloc", Napi::Function::New(env, DeviceAlloc, "deviceAlloc"));
  exports.Set("deviceFree", Napi::Function::New(env, DeviceFree, "deviceFree"));
  exports.Set("upload", Napi::Function::New(env, Upload, "upload"));
  exports.Set("download", Napi::Function::New(env, Download, "download"));
  exports.Set("downloadAsync", Napi::Function::New(env, DownloadAsync, "downloadAsync"));
  exports.Set("deviceStats", Napi::Function::New(env, DeviceStats, "deviceStats"));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize, "synchronize"));
}

}  // namespace tn::addon
