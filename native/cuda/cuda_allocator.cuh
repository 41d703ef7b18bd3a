// A caching device allocator: freed blocks go to size-bucketed free lists and are handed out
// again without cudaFree/cudaMalloc (each of which synchronises the device and costs tens of
// microseconds), PyTorch-style. All memory is used on the backend's single stream, so a block
// freed while queued kernels still read it is only reused by work queued after them: stream
// order makes the reuse safe without events.
#pragma once
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tn::cuda {

class CachingAllocator {
 public:
  // Never returns nullptr for bytes > 0; on cudaErrorMemoryAllocation empties the cache and
  // retries once, then throws tn::Error. Thread-safe.
  void* allocate(size_t bytes);
  // Returns the block to the cache. Throws tn::Error for a pointer it did not hand out.
  void deallocate(void* ptr);
  // cudaFree of every cached (not live) block.
  void emptyCache();

  size_t liveBytes() const;
  size_t cachedBytes() const;

  // Size class of a request: blocks are only reused within a class.
  static size_t roundSize(size_t bytes);

 private:
  void emptyCacheLocked();

  mutable std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> free_;  // size class -> cached blocks
  std::unordered_map<void*, size_t> live_;              // block -> size class
  size_t liveBytes_ = 0, cachedBytes_ = 0;
};

}  // namespace tn::cuda
