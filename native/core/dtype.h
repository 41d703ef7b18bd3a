// Element types the runtime stores. Values match lib/dtype.ts (DTYPE_CODES).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tn {

enum class DType : int32_t { Float32 = 0, Int32 = 1 };

inline size_t dtypeSize(DType) { return 4; }  // both dtypes are 4 bytes wide
inline const char* dtypeName(DType t) { return t == DType::Float32 ? "float32" : "int32"; }

}  // namespace tn
