// Entry points of the CPU kernels, one family per file. CpuBackend (cpu_backend.cc) forwards
// the Backend interface to these; they assume arguments already checked by the addon layer.
#pragma once
#include <cstdint>
#include <memory>

#include "../core/ops.h"
#include "../core/tensor_view.h"

namespace tn::cpu {

void matmul(const MatmulArgs& args);                                                // matmul.cc
std::shared_ptr<PackedWeight> packLinearWeight(const float* w, int64_t n, int64_t k);  // matmul.cc
void unary(UnaryOp op, const TensorView& x, const TensorView& out);                 // elementwise.cc
void unaryGrad(UnaryGradOp op, const TensorView& g, const TensorView& s, const TensorView& out);
void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out);
void affine(const TensorView& x, double alpha, double beta, const TensorView& out);
void reduce(ReduceOp op, const TensorView& x, int dim, const TensorView& out, const TensorView* idx);  // reduce.cc
void softmax(const TensorView& x, int dim, bool log, const TensorView& out);       // softmax.cc
void softmaxGrad(const TensorView& g, const TensorView& y, int dim, bool log, const TensorView& out);
void fill(const TensorView& out, double value);                                     // copy_fill.cc
void copy(const TensorView& src, const TensorView& dst);
void oneHot(const TensorView& indices, int64_t numClasses, const TensorView& out);
void uniform(const TensorView& out, uint64_t seed, uint64_t offset, float low, float high);  // random.cc

}  // namespace tn::cpu
