// N-API entry points for the kernels: unpack and check arguments, pick the backend by the
// storages' device, call it. Argument order for each is documented in lib/binding.ts.
#include <napi.h>

#include <string>

#include "../core/error.h"
#include "descriptors.h"
#include "guard.h"

namespace tn::addon {
namespace {

Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "unary";
    requireArgs(info, 4, fn);
    const auto op = static_cast<UnaryOp>(intArg(info, 0, fn, "op", 0, 11));
    DescriptorReader r(info[1], fn);
    const Storage sx = storageOf(info[2], "x"), so = storageOf(info[3], "out");
    Backend* b = backendOf({&sx, &so}, fn);
    const TensorView x = r.next(sx, "x"), out = r.next(so, "out");
    requireSameShape(x, out, fn);
    requireWritable(out, fn);
    if (x.dtype != out.dtype) throw ArgumentError("unary: x and out dtypes differ");
    if (x.dtype == DType::Int32 && !(op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Relu ||
                                     op == UnaryOp::Square || op == UnaryOp::Sign))
      throw ArgumentError("unary: this op needs float32 input");
    b->unary(op, x, out);
    return info.Env().Undefined();
  });
}

Napi::Value UnaryGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "unaryGrad";
    requireArgs(info, 5, fn);
    const auto op = static_cast<UnaryGradOp>(intArg(info, 0, fn, "op", 0, 2));
    DescriptorReader r(info[1], fn);
    const Storage sg = storageOf(info[2], "grad"), ss = storageOf(info[3], "saved"), so = storageOf(info[4], "out");
    Backend* b = backendOf({&sg, &ss, &so}, fn);
    const TensorView g = r.next(sg, "grad"), s = r.next(ss, "saved"), out = r.next(so, "out");
    requireSameShape(g, out, fn);
    requireSameShape(s, out, fn);
    requireWritable(out, fn);
    for (const TensorView* v : {&g, &s, &out}) requireDtype(*v, DType::Float32, fn, "operand");
    b->unaryGrad(op, g, s, out);
    return info.Env().Undefined();
  });
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "binary";
    requireArgs(info, 5, fn);
    const auto op = static_cast<BinaryOp>(intArg(info, 0, fn, "op", 0, 9));
    DescriptorReader r(info[1], fn);
    const Storage sa = storageOf(info[2], "a"), sb = storageOf(info[3], "b"), so = storageOf(info[4], "out");
    Backend* b = backendOf({&sa, &sb, &so}, fn);
    const TensorView a = r.next(sa, "a"), bb = r.next(sb, "b"), out = r.next(so, "out");
    requireSameShape(a, out, fn);
    requireSameShape(bb, out, fn);
    requireWritable(out, fn);
    if (a.dtype != bb.dtype || a.dtype != out.dtype) throw ArgumentError("binary: operand dtypes differ");
    b->binary(op, a, bb, out);
    return info.Env().Undefined();
  });
}

Napi::Value Affine(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "affine";
    requireArgs(info, 5, fn);
    DescriptorReader r(info[0], fn);
    const Storage sx = storageOf(info[1], "x"), so = storageOf(info[2], "out");
    const double alpha = numberArg(info, 3, fn, "alpha"), beta = numberArg(info, 4, fn, "beta");
    Backend* b = backendOf({&sx, &so}, fn);
    const TensorView x = r.next(sx, "x"), out = r.next(so, "out");
    requireSameShape(x, out, fn);
    requireWritable(out, fn);
    if (x.dtype != out.dtype) throw ArgumentError("affine: x and out dtypes differ");
    // int32: alpha·x + beta is computed in int64, so both must be int32 values (anything else
    // was an undefined cast or int64 overflow).
    if (x.dtype == DType::Int32)
      for (const double v : {alpha, beta})
        if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != static_cast<double>(static_cast<int32_t>(v)))
          throw ArgumentError("affine: alpha and beta must be int32 values for an int32 tensor");
    b->affine(x, alpha, beta, out);
    return info.Env().Undefined();
  });
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "reduce";
    requireArgs(info, 6, fn);
    const auto op = static_cast<ReduceOp>(intArg(info, 0, fn, "op", 0, 5));
    const int dim = static_cast<int>(intArg(info, 1, fn, "dim", 0, kMaxDims - 1));
    DescriptorReader r(info[2], fn);
    const bool hasIdx = !info[5].IsNull() && !info[5].IsUndefined();
    const Storage sx = storageOf(info[3], "x"), so = storageOf(info[4], "out");
    Storage si;
    if (hasIdx) si = storageOf(info[5], "indices");
    Backend* b = backendOf({&sx, &so, hasIdx ? &si : nullptr}, fn);
    const TensorView x = r.next(sx, "x"), out = r.next(so, "out");
    TensorView idx;
    if (hasIdx) idx = r.next(si, "indices");
    if (dim >= x.ndim) throw ArgumentError("reduce: dim out of range");
    if (x.shape[dim] == 0 && op != ReduceOp::Sum && op != ReduceOp::Mean)
      throw ArgumentError("reduce: cannot take max/min/argmax/argmin over an empty dimension");
    // out (and indices) have x's shape with `dim` removed.
    bool ok = out.ndim == x.ndim - 1;
    for (int d = 0, o = 0; ok && d < x.ndim; ++d) {
      if (d == dim) continue;
      ok = out.shape[o] == x.shape[d];
      ++o;
    }
    if (!ok) throw ArgumentError("reduce: out shape must be x's shape without dim");
    requireWritable(out, fn);
    const bool argOp = op == ReduceOp::Argmax || op == ReduceOp::Argmin;
    requireDtype(out, argOp ? DType::Int32 : x.dtype, fn, "out");
    if (hasIdx) {
      if (op != ReduceOp::Max && op != ReduceOp::Min) throw ArgumentError("reduce: indices only for max/min");
      requireSameShape(idx, out, fn);
      requireWritable(idx, fn);
      requireDtype(idx, DType::Int32, fn, "indices");
    }
    if (op == ReduceOp::Mean) requireDtype(x, DType::Float32, fn, "x");
    b->reduce(op, x, dim, out, hasIdx ? &idx : nullptr);
    return info.Env().Undefined();
  });
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "softmax";
    requireArgs(info, 5, fn);
    const int dim = static_cast<int>(intArg(info, 0, fn, "dim", 0, kMaxDims - 1));
    const bool log = boolArg(info, 1, fn, "log");
    DescriptorReader r(info[2], fn);
    const Storage sx = storageOf(info[3], "x"), so = storageOf(info[4], "out");
    Backend* b = backendOf({&sx, &so}, fn);
    const TensorView x = r.next(sx, "x"), out = r.next(so, "out");
    requireSameShape(x, out, fn);
    requireWritable(out, fn);
    requireDtype(x, DType::Float32, fn, "x");
    requireDtype(out, DType::Float32, fn, "out");
    if (dim >= x.ndim) throw ArgumentError("softmax: dim out of range");
    b->softmax(x, dim, log, out);
    return info.Env().Undefined();
  });
}

Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "softmaxGrad";
    requireArgs(info, 6, fn);
    const int dim = static_cast<int>(intArg(info, 0, fn, "dim", 0, kMaxDims - 1));
    const bool log = boolArg(info, 1, fn, "log");
    DescriptorReader r(info[2], fn);
    const Storage sg = storageOf(info[3], "grad"), sy = storageOf(info[4], "y"), so = storageOf(info[5], "out");
    Backend* b = backendOf({&sg, &sy, &so}, fn);
    const TensorView g = r.next(sg, "grad"), y = r.next(sy, "y"), out = r.next(so, "out");
    requireSameShape(g, out, fn);
    requireSameShape(y, out, fn);
    requireWritable(out, fn);
    for (const TensorView* v : {&g, &y, &out}) requireDtype(*v, DType::Float32, fn, "operand");
    if (dim >= g.ndim) throw ArgumentError("softmaxGrad: dim out of range");
    b->softmaxGrad(g, y, dim, log, out);
    return info.Env().Undefined();
  });
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "fill";
    requireArgs(info, 3, fn);
    DescriptorReader r(info[0], fn);
    const Storage so = storageOf(info[1], "out");
    const double value = numberArg(info, 2, fn, "value");
    Backend* b = backendOf({&so}, fn);
    const TensorView out = r.next(so, "out");
    requireWritable(out, fn);
    b->fill(out, value);
    return info.Env().Undefined();
  });
}

Napi::Value Copy(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "copy";
    requireArgs(info, 3, fn);
    DescriptorReader r(info[0], fn);
    const Storage ss = storageOf(info[1], "src"), sd = storageOf(info[2], "dst");
    Backend* b = backendOf({&ss, &sd}, fn);
    const TensorView src = r.next(ss, "src"), dst = r.next(sd, "dst");
    requireSameShape(src, dst, fn);
    requireWritable(dst, fn);
    b->copy(src, dst);
    return info.Env().Undefined();
  });
}

Napi::Value OneHot(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "oneHot";
    requireArgs(info, 4, fn);
    const int64_t classes = intArg(info, 0, fn, "numClasses", 0, int64_t{1} << 40);
    DescriptorReader r(info[1], fn);
    const Storage si = storageOf(info[2], "indices"), so = storageOf(info[3], "out");
    Backend* b = backendOf({&si, &so}, fn);
    const TensorView idx = r.next(si, "indices"), out = r.next(so, "out");
    requireDtype(idx, DType::Int32, fn, "indices");
    requireDtype(out, DType::Float32, fn, "out");
    bool ok = out.ndim == idx.ndim + 1 && out.shape[idx.ndim] == classes && out.isContiguous();
    for (int d = 0; ok && d < idx.ndim; ++d) ok = out.shape[d] == idx.shape[d];
    if (!ok) throw ArgumentError("oneHot: out must be contiguous with shape [...indices.shape, numClasses]");
    b->oneHot(idx, classes, out);
    return info.Env().Undefined();
  });
}

Napi::Value Uniform(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "uniform";
    requireArgs(info, 7, fn);
    DescriptorReader r(info[0], fn);
    const Storage so = storageOf(info[1], "out");
    const uint64_t seedHi = static_cast<uint64_t>(intArg(info, 2, fn, "seedHi", 0, 0xFFFFFFFFLL));
    const uint64_t seedLo = static_cast<uint64_t>(intArg(info, 3, fn, "seedLo", 0, 0xFFFFFFFFLL));
    const uint64_t offset = static_cast<uint64_t>(intArg(info, 4, fn, "offset", 0, (int64_t{1} << 53) - 1));
    const double low = numberArg(info, 5, fn, "low"), high = numberArg(info, 6, fn, "high");
    Backend* b = backendOf({&so}, fn);
    const TensorView out = r.next(so, "out");
    requireDtype(out, DType::Float32, fn, "out");
    requireWritable(out, fn);
    b->uniform(out, (seedHi << 32) | seedLo, offset, static_cast<float>(low), static_cast<float>(high));
    return info.Env().Undefined();
  });
}

// matmul(desc, a, b, bias|null, out, activation, accumulate)
// desc: a [B, M, K], b [B, K, N], out [B, M, N] (contiguous), then bias [N] when given.
// Each operand needs unit stride in one of its last two dims; which one decides op = X or Xᵀ.
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const char* fn = "matmul";
    requireArgs(info, 7, fn);
    DescriptorReader r(info[0], fn);
    const bool hasBias = !info[3].IsNull() && !info[3].IsUndefined();
    const Storage sa = storageOf(info[1], "a"), sb = storageOf(info[2], "b"), so = storageOf(info[4], "out");
    Storage sbias;
    if (hasBias) sbias = storageOf(info[3], "bias");
    const auto act = static_cast<Activation>(intArg(info, 5, fn, "activation", 0, 3));
    const bool accumulate = boolArg(info, 6, fn, "accumulate");
    Backend* be = backendOf({&sa, &sb, &so, hasBias ? &sbias : nullptr}, fn);
    const TensorView a = r.next(sa, "a"), b = r.next(sb, "b"), out = r.next(so, "out");
    TensorView bias;
    if (hasBias) bias = r.next(sbias, "bias");
    for (const TensorView* v : {&a, &b, &out}) {
      requireDtype(*v, DType::Float32, fn, "operand");
      if (v->ndim != 3) throw ArgumentError("matmul: operands must be 3-D [batch, rows, cols]");
    }
    const int64_t B = out.shape[0], M = a.shape[1], K = a.shape[2], N = b.shape[2];
    if (a.shape[0] != B || b.shape[0] != B || b.shape[1] != K || out.shape[1] != M || out.shape[2] != N)
      throw ArgumentError("matmul: shapes do not chain");
    if (!out.isContiguous()) throw ArgumentError("matmul: out must be contiguous");
    if (accumulate && (hasBias || act != Activation::None))
      throw ArgumentError("matmul: accumulate excludes bias and activation");
    MatmulArgs p;
    p.batch = B; p.m = M; p.n = N; p.k = K;
    // op(A): unit stride along K → stored as A (lda = row stride); along M → stored as Aᵀ.
    if (a.strides[2] == 1 || K == 1) { p.transA = false; p.lda = a.strides[1]; }
    else if (a.strides[1] == 1 || M == 1) { p.transA = true; p.lda = a.strides[2]; }
    else throw ArgumentError("matmul: a needs unit stride in one of its last two dims");
    if (b.strides[2] == 1 || N == 1) { p.transB = false; p.ldb = b.strides[1]; }
    else if (b.strides[1] == 1 || K == 1) { p.transB = true; p.ldb = b.strides[2]; }
    else throw ArgumentError("matmul: b needs unit stride in one of its last two dims");
    p.strideA = a.strides[0];
    p.strideB = b.strides[0];
    p.ldc = N;
    p.strideC = M * N;
    p.a = a.f32(); p.b = b.f32(); p.out = out.f32();
    if (hasBias) {
      requireDtype(bias, DType::Float32, fn, "bias");
      if (bias.ndim != 1 || bias.shape[0] != N || (N > 1 && bias.strides[0] != 1))
        throw ArgumentError("matmul: bias must be contiguous with shape [N]");
      p.bias = bias.f32();
    }
    p.activation = act;
    p.accumulate = accumulate;
    be->matmul(p);
    return info.Env().Undefined();
  });
}

}  // namespace

void registerOps(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("unaryGrad", Napi::Function::New(env, UnaryGrad, "unaryGrad"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("affine", Napi::Function::New(env, Affine, "affine"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad, "softmaxGrad"));
  exports.Set("fill", Napi::Function::New(env, Fill, "fill"));
  exports.Set("copy", Napi::Function::New(env, Copy, "copy"));
  exports.Set("oneHot", Napi::Function::New(env, OneHot, "oneHot"));
  exports.Set("uniform", Napi::Function::New(env, Uniform, "uniform"));
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
}

}  // namespace tn::addon
