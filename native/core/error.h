// Errors raised by kernels and backends. The addon turns every tn::Error into a JS Error;
// nothing in native code aborts the process.
#pragma once
#include <stdexcept>
#include <string>

namespace tn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A bad argument that JS validation should already have caught (becomes a RangeError).
class ArgumentError : public Error {
 public:
  explicit ArgumentError(const std::string& message) : Error(message) {}
};

}  // namespace tn
