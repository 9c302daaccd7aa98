// Builds multipart/form-data request bodies (RFC 7578) for clients: text
// fields and files. The boundary is random (OpenSSL RAND_bytes) and checked
// not to occur in any part. Not thread-safe (one builder per body).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::reports {

class MultipartBuilder {
 public:
  MultipartBuilder();

  // Appends a field. name and filename must not hold '"', CR, LF or NUL
  // (kInvalidInput naming the part); content_type must not hold CR, LF or
  // NUL.
  Status add_field(std::string_view name, std::string_view value);
  Status add_file(std::string_view name, std::string_view filename, std::string_view content_type,
                  std::string_view data);

  // The Content-Type header value: multipart/form-data; boundary=...
  std::string content_type() const;
  // The finished body (closing boundary appended). Call once; kInternal if
  // a part contained the boundary (astronomically unlikely).
  Result<std::string> finish();

 private:
  Status add_part(std::string_view name, std::string_view filename, std::string_view content_type,
                  std::string_view data, bool is_file);
  std::string boundary_;
  std::string body_;
  bool collision_ = false;
};

}  // namespace chainbreak::reports
