// Error checking for CUDA runtime calls. Unlike ggml's CUDA_CHECK (which aborts), these THROW
// tn::Error: an abort inside an N-API addon would kill the user's whole Node process, while an
// exception becomes a JS Error at the addon boundary (native/addon/guard.h).
//
//   CUDA_CHECK(cudaMemcpyAsync(...));   // throws "CUDA error: <text> (<name>) in <call> at <file>:<line>"
//   kernel<<<grid, block, 0, stream>>>(...); CUDA_CHECK_LAUNCH();
#pragma once
#include <cuda_runtime.h>

#include <cstring>
#include <string>

#include "../core/error.h"

namespace tn::cuda {

// The path from "native/" on, so messages do not carry the build machine's directories.
inline const char* shortPath(const char* file) {
  const char* p = std::strstr(file, "native/");
  return p ? p : file;
}

[[noreturn]] inline void throwCudaError(cudaError_t err, const char* call, const char* file, int line) {
  throw Error(std::string("CUDA error: ") + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ") in " + call +
              " at " + shortPath(file) + ":" + std::to_string(line));
}

}  // namespace tn::cuda

#define CUDA_CHECK(call)                                                          \
  do {                                                                            \
    const cudaError_t tn_cuda_err_ = (call);                                      \
    if (tn_cuda_err_ != cudaSuccess)                                              \
      ::tn::cuda::throwCudaError(tn_cuda_err_, #call, __FILE__, __LINE__);        \
  } while (0)

// After every kernel launch: configuration errors (bad grid, no kernel image, ...) are reported
// here; faults inside the kernel surface at the next synchronising call.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
