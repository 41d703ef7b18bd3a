// Turns the JS side's (descriptor, storage) pairs into checked TensorViews.
//
// Every op call passes one Float64Array `desc` holding, for each tensor in order:
//   [dtype, ndim, offset, shape[0..ndim), strides[0..ndim)]   (all in elements)
// and the storages as separate arguments: a Float32Array/Int32Array for host tensors or a
// DeviceBuffer handle for device tensors. Before a kernel sees a view, this layer checks that
// the numbers are integers in range and that every element the view can reach lies inside its
// storage, so no input from JS can make a kernel read or write out of bounds.
#pragma once
#include <napi.h>

#include <cstdint>

#include "../core/backend.h"
#include "../core/registry.h"
#include "../core/tensor_view.h"

namespace tn::addon {

struct Storage {
  void* base = nullptr;
  size_t bytes = 0;
  DeviceKind kind = DeviceKind::Cpu;
  bool isFloatArray = false;  // host storages only: which typed array it was
  bool isIntArray = false;
};

// A device allocation owned by a JS handle (napi External tagged as ours).
struct DeviceBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
  DeviceKind kind = DeviceKind::Cuda;
  // Async work in flight that reads or writes the buffer (JS thread only: pinned when queued,
  // unpinned when it settles). deviceFree of a pinned buffer is deferred to the last unpin.
  int pins = 0;
  bool freePending = false;
};

Storage storageOf(const Napi::Value& v, const char* what);
DeviceBuffer* deviceBufferOf(const Napi::Value& v, const char* what);
bool isDeviceBuffer(const Napi::Value& v);
// Pins a device buffer for async work (see DeviceBuffer::pins); unpin on the JS thread when the
// work settles. Both live in memory_binding.cc.
DeviceBuffer* pinDeviceBuffer(const Napi::Value& v);
void unpinDeviceBuffer(Napi::Env env, DeviceBuffer* buf);

class DescriptorReader {
 public:
  DescriptorReader(const Napi::Value& desc, const char* op);
  // Reads the next tensor descriptor and binds it to `storage`.
  TensorView next(const Storage& storage, const char* what);
  const char* op() const { return op_; }

 private:
  double take(const char* field, const char* what);
  const double* data_ = nullptr;
  size_t length_ = 0, pos_ = 0;
  const char* op_;
};

// All storages of one op must live on the same device; returns its backend.
Backend* backendOf(std::initializer_list<const Storage*> storages, const char* op);

// Throws a RangeError-style tn::ArgumentError unless the views have identical shapes.
void requireSameShape(const TensorView& a, const TensorView& b, const char* op);
// Outputs must not alias themselves (stride 0 over a dim longer than 1).
void requireWritable(const TensorView& v, const char* op);
void requireDtype(const TensorView& v, DType t, const char* op, const char* what);

}  // namespace tn::addon
