#include "registry.h"

#include <mutex>

namespace tn {

Backend* createCpuBackend();
#ifdef TENSORNODE_WITH_CUDA
Backend* createCudaBackend();
#endif

namespace {
Backend* gBackends[2] = {nullptr, nullptr};
std::once_flag gOnce;
}  // namespace

void registerBuiltinBackends() {
  // Backends are process-wide singletons shared by every worker_thread's copy of the addon.
  std::call_once(gOnce, [] {
    gBackends[static_cast<int>(DeviceKind::Cpu)] = createCpuBackend();
#ifdef TENSORNODE_WITH_CUDA
    gBackends[static_cast<int>(DeviceKind::Cuda)] = createCudaBackend();
#endif
  });
}

Backend* backendFor(DeviceKind kind) {
  const int i = static_cast<int>(kind);
  if (i < 0 || i > 1) return nullptr;
  return gBackends[i];
}

std::vector<std::string> compiledBackends() {
  std::vector<std::string> names{"cpu"};
#ifdef TENSORNODE_WITH_CUDA
  names.push_back("cuda");
#endif
  return names;
}

}  // namespace tn
