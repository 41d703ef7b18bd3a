// Caching device allocator (see cuda_allocator.cuh). Size classes: multiples of 512 bytes up
// to 1 MiB, then four classes per power of two (at most 25% rounding waste), so tensors of
// slightly different sizes share blocks.
#include <cuda_runtime.h>

#include <string>

#include "../core/error.h"
#include "cuda_allocator.cuh"
#include "cuda_check.cuh"

namespace tn::cuda {

namespace {
constexpr size_t kMinBlock = 512;
constexpr size_t kSmallLimit = size_t{1} << 20;
constexpr size_t kSubClasses = 4;  // classes per power of two above kSmallLimit

std::string mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }
}  // namespace

size_t CachingAllocator::roundSize(size_t bytes) {
  if (bytes <= kSmallLimit) return (bytes + kMinBlock - 1) / kMinBlock * kMinBlock;
  size_t pow2 = kSmallLimit;
  while (pow2 * 2 < bytes) pow2 *= 2;  // pow2 < bytes <= 2*pow2
  const size_t step = pow2 / kSubClasses;
  return (bytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  if (bytes > (size_t{1} << 62)) throw Error("CUDA allocation of " + std::to_string(bytes) + " bytes is too large");
  const size_t size = roundSize(bytes);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = free_.find(size);
  if (it != free_.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    cachedBytes_ -= size;
    live_.emplace(p, size);
    liveBytes_ += size;
    return p;
  }
  void* p = nullptr;
  cudaError_t err = cudaMalloc(&p, size);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear the (non-sticky) error before retrying
    emptyCacheLocked();
    err = cudaMalloc(&p, size);
  }
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t freeMem = 0, total = 0;
    cudaMemGetInfo(&freeMem, &total);
    cudaGetLastError();
    throw Error("CUDA out of memory: could not allocate " + std::to_string(bytes) + " bytes (" + mib(size) +
                " block); tensornode holds " + mib(liveBytes_) + " in live tensors, the device has " + mib(freeMem) +
                " free of " + mib(total) + ". Dispose tensors you no longer need (tensor.dispose() or `using`).");
  }
  if (err != cudaSuccess) throwCudaError(err, "cudaMalloc", __FILE__, __LINE__);
  live_.emplace(p, size);
  liveBytes_ += size;
  return p;
}

void CachingAllocator::deallocate(void* ptr) {
  if (!ptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(ptr);
  if (it == live_.end()) throw Error("CUDA deallocate: pointer was not allocated by this backend (double free?)");
  const size_t size = it->second;
  live_.erase(it);
  liveBytes_ -= size;
  free_[size].push_back(ptr);
  cachedBytes_ += size;
}

void CachingAllocator::emptyCache() {
  std::lock_guard<std::mutex> lock(mu_);
  emptyCacheLocked();
}

void CachingAllocator::emptyCacheLocked() {
  // cudaFree waits for queued work that may still use a cached block.
  for (auto& [size, blocks] : free_) {
    for (void* p : blocks) {
      cudaFree(p);
      cachedBytes_ -= size;
    }
    blocks.clear();
  }
  free_.clear();
  cudaGetLastError();  // a failing free must not leave an error for the next launch check
}

size_t CachingAllocator::liveBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return liveBytes_;
}

size_t CachingAllocator::cachedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cachedBytes_;
}

}  // namespace tn::cuda
