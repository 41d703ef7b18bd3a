// The only switch over backends: the addon asks here for the backend that owns a buffer kind.
// Backends register themselves at load time (cpu always; cuda when the addon was built with it).
#pragma once
#include <string>
#include <vector>

#include "backend.h"

namespace tn {

enum class DeviceKind : int { Cpu = 0, Cuda = 1 };

// Returns the backend for kind, or nullptr when this build has none.
Backend* backendFor(DeviceKind kind);
// Names of the backends compiled into this addon, in DeviceKind order.
std::vector<std::string> compiledBackends();

// Called once from the addon's module init (idempotent, thread-safe).
void registerBuiltinBackends();

}  // namespace tn
