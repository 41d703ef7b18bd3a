#include "descriptors.h"

#include <cmath>
#include <string>

#include "../core/error.h"

namespace tn::addon {
namespace {

// Identifies DeviceBuffer externals created by this addon (napi_type_tag), so that a foreign
// External passed from JS is refused instead of being dereferenced.
const napi_type_tag kDeviceBufferTag = {0x746e6f6465627566ULL, 0x6465766963650001ULL};

constexpr double kMaxSafe = 9007199254740991.0;  // 2^53 - 1

}  // namespace

bool isDeviceBuffer(const Napi::Value& v) {
  if (!v.IsExternal()) return false;
  bool tagged = false;
  napi_check_object_type_tag(v.Env(), v, &kDeviceBufferTag, &tagged);
  return tagged;
}

DeviceBuffer* deviceBufferOf(const Napi::Value& v, const char* what) {
  if (!isDeviceBuffer(v)) throw ArgumentError(std::string(what) + " must be a tensornode device buffer");
  return v.As<Napi::External<DeviceBuffer>>().Data();
}

const napi_type_tag* deviceBufferTag() { return &kDeviceBufferTag; }

Storage storageOf(const Napi::Value& v, const char* what) {
  Storage s;
  // One napi_get_typedarray_info call (the Napi:: accessors would make four): this runs for
  // every operand of every op, so it is most of the fixed cost of a small kernel call.
  const napi_env env = v.Env();
  bool isTyped = false;
  if (napi_is_typedarray(env, v, &isTyped) == napi_ok && isTyped) {
    napi_typedarray_type t;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, v, &t, &length, &data, nullptr, nullptr) != napi_ok)
      throw ArgumentError(std::string(what) + " could not be read");
    if (t != napi_float32_array && t != napi_int32_array)
      throw ArgumentError(std::string(what) + " must be a Float32Array or Int32Array");
    s.kind = DeviceKind::Cpu;
    s.isFloatArray = t == napi_float32_array;
    s.isIntArray = t == napi_int32_array;
    s.bytes = length * 4;  // both element types are 4 bytes; 0 once the buffer is detached
    s.base = s.bytes == 0 ? nullptr : data;
    return s;
  }
  DeviceBuffer* b = deviceBufferOf(v, what);
  if (!b->ptr && b->bytes != 0) throw ArgumentError(std::string(what) + " was already disposed");
  s.base = b->ptr;
  s.bytes = b->bytes;
  s.kind = b->kind;
  return s;
}

DescriptorReader::DescriptorReader(const Napi::Value& desc, const char* op) : op_(op) {
  const napi_env env = desc.Env();
  bool isTyped = false;
  napi_typedarray_type t = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, desc, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, desc, &t, &length, &data, nullptr, nullptr) != napi_ok || t != napi_float64_array)
    throw ArgumentError(std::string(op) + ": descriptor must be a Float64Array");
  data_ = static_cast<const double*>(data);
  length_ = data_ ? length : 0;
}

double DescriptorReader::take(const char* field, const char* what) {
  if (pos_ >= length_)
    throw ArgumentError(std::string(op_) + ": descriptor too short reading " + field + " of " + what);
  const double v = data_[pos_++];
  // integral and in [0, 2^53): the range test first, so the conversion below is defined
  if (!(v >= 0 && v <= kMaxSafe) || static_cast<double>(static_cast<int64_t>(v)) != v)
    throw ArgumentError(std::string(op_) + ": " + what + " " + field + " must be a non-negative integer, got " +
                        std::to_string(v));
  return v;
}

TensorView DescriptorReader::next(const Storage& storage, const char* what) {
  TensorView v;
  const double dt = take("dtype", what);
  if (dt > 1) throw ArgumentError(std::string(op_) + ": unknown dtype code for " + what);
  v.dtype = static_cast<DType>(static_cast<int>(dt));
  const double nd = take("ndim", what);
  if (nd > kMaxDims)
    throw ArgumentError(std::string(op_) + ": " + what + " has more than " + std::to_string(kMaxDims) + " dims");
  v.ndim = static_cast<int>(nd);
  const int64_t offset = static_cast<int64_t>(take("offset", what));
  for (int d = 0; d < v.ndim; ++d) v.shape[d] = static_cast<int64_t>(take("shape", what));
  for (int d = 0; d < v.ndim; ++d) v.strides[d] = static_cast<int64_t>(take("stride", what));

  if (storage.kind == DeviceKind::Cpu) {
    if ((v.dtype == DType::Float32 && !storage.isFloatArray) || (v.dtype == DType::Int32 && !storage.isIntArray))
      throw ArgumentError(std::string(op_) + ": " + what + " storage type does not match its dtype " +
                          dtypeName(v.dtype));
  }
  // Highest element index the view can touch, with overflow checks on every step.
  int64_t numel = 1, reach = offset;
  for (int d = 0; d < v.ndim; ++d) {
    int64_t span;
    if (__builtin_mul_overflow(numel, v.shape[d], &numel) ||
        __builtin_mul_overflow(v.shape[d] > 0 ? v.shape[d] - 1 : 0, v.strides[d], &span) ||
        __builtin_add_overflow(reach, span, &reach))
      throw ArgumentError(std::string(op_) + ": " + what + " size overflows");
  }
  const int64_t capacity = static_cast<int64_t>(storage.bytes / dtypeSize(v.dtype));
  if (numel > 0 && reach >= capacity)
    throw ArgumentError(std::string(op_) + ": " + what + " view reaches element " + std::to_string(reach) +
                        " but its storage holds " + std::to_string(capacity));
  v.data = numel > 0 ? static_cast<uint8_t*>(storage.base) + offset * dtypeSize(v.dtype) : storage.base;
  return v;
}

Backend* backendOf(std::initializer_list<const Storage*> storages, const char* op) {
  const Storage* first = nullptr;
  for (const Storage* s : storages) {
    if (!s) continue;
    if (!first) first = s;
    else if (s->kind != first->kind)
      throw ArgumentError(std::string(op) + ": expected all tensors to be on the same device");
  }
  Backend* b = backendFor(first ? first->kind : DeviceKind::Cpu);
  if (!b) throw Error(std::string(op) + ": this addon was built without that device's backend");
  return b;
}

void requireSameShape(const TensorView& a, const TensorView& b, const char* op) {
  bool same = a.ndim == b.ndim;
  for (int d = 0; same && d < a.ndim; ++d) same = a.shape[d] == b.shape[d];
  if (!same) throw ArgumentError(std::string(op) + ": operand shapes differ");
}

void requireWritable(const TensorView& v, const char* op) {
  for (int d = 0; d < v.ndim; ++d)
    if (v.shape[d] > 1 && v.strides[d] == 0)
      throw ArgumentError(std::string(op) + ": output view overlaps itself (stride 0)");
}

void requireDtype(const TensorView& v, DType t, const char* op, const char* what) {
  if (v.dtype != t)
    throw ArgumentError(std::string(op) + ": " + what + " must be " + dtypeName(t) + ", got " + dtypeName(v.dtype));
}

}  // namespace tn::addon
