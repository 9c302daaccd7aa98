// libFuzzer target: arbitrary multipart/form-data bodies through
// parse_multipart. The first line of the input is the Content-Type header
// value, the rest the body. Must never crash, hang or read out of bounds;
// what it accepts must be consistent: at most max_parts parts, each named,
// each data view inside the body, in order, never overlapping.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "server/http/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chainbreak;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view content_type = input.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos ? std::string_view{} : input.substr(eol + 1);
  constexpr size_t kMaxParts = 16;
  Result<std::vector<http::Part>> r = http::parse_multipart(content_type, body, kMaxParts);
  if (!r.ok()) {
    if (r.status().code() != ErrorCode::kInvalidInput || r.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (r.value().size() > kMaxParts) __builtin_trap();
  const char* previous_end = body.data();
  for (const http::Part& part : r.value()) {
    if (part.name.empty()) __builtin_trap();
    if (part.data.data() < previous_end) __builtin_trap();
    if (part.data.data() + part.data.size() > body.data() + body.size()) __builtin_trap();
    previous_end = part.data.data() + part.data.size();
  }
  return 0;
}
