// The CPU backend: host memory, kernels from this folder. Always built.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#include "../core/backend.h"
#include "../core/error.h"
#include "kernels.h"
#include "parallel.h"

namespace tn {
namespace {

std::string cpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  }
  return "unknown CPU";
}

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  bool hostAddressable() const override { return true; }
  BackendStatus status() override {
    BackendStatus s;
    s.usable = true;
    s.deviceCount = 1;
    s.deviceName = cpuModel();
    s.details = "threads=" + std::to_string(cpu::maxThreads());
    return s;
  }
  void* allocate(size_t bytes) override {
    // 64-byte alignment suits AVX-512 loads; size rounded up as aligned_alloc requires.
    void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64 + (bytes == 0 ? 64 : 0));
    if (!p) throw Error("out of host memory allocating " + std::to_string(bytes) + " bytes");
    return p;
  }
  void deallocate(void* ptr, size_t) override { std::free(ptr); }
  void copyFromHost(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copyToHost(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void synchronize() override {}

  void matmul(const MatmulArgs& a) override { cpu::matmul(a); }
  std::shared_ptr<PackedWeight> packLinearWeight(const float* w, int64_t out, int64_t in) override {
    return cpu::packLinearWeight(w, out, in);
  }
  void unary(UnaryOp op, const TensorView& x, const TensorView& out) override { cpu::unary(op, x, out); }
  void unaryGrad(UnaryGradOp op, const TensorView& g, const TensorView& s, const TensorView& out) override {
    cpu::unaryGrad(op, g, s, out);
  }
  void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) override {
    cpu::binary(op, a, b, out);
  }
  void affine(const TensorView& x, double alpha, double beta, const TensorView& out) override {
    cpu::affine(x, alpha, beta, out);
  }
  void reduce(ReduceOp op, const TensorView& x, int dim, const TensorView& out, const TensorView* idx) override {
    cpu::reduce(op, x, dim, out, idx);
  }
  void softmax(const TensorView& x, int dim, bool log, const TensorView& out) override {
    cpu::softmax(x, dim, log, out);
  }
  void softmaxGrad(const TensorView& g, const TensorView& y, int dim, bool log, const TensorView& out) override {
    cpu::softmaxGrad(g, y, dim, log, out);
  }
  void fill(const TensorView& out, double value) override { cpu::fill(out, value); }
  void copy(const TensorView& src, const TensorView& dst) override { cpu::copy(src, dst); }
  void oneHot(const TensorView& idx, int64_t classes, const TensorView& out) override { cpu::oneHot(idx, classes, out); }
  void uniform(const TensorView& out, uint64_t seed, uint64_t offset, float low, float high) override {
    cpu::uniform(out, seed, offset, low, high);
  }
};

}  // namespace

Backend* createCpuBackend() { return new CpuBackend(); }

}  // namespace tn
