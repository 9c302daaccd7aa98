#include "reports/multipart.h"

#include <openssl/rand.h>

#include <random>

namespace chainbreak::reports {
namespace {

bool safe_header_word(std::string_view s, bool allow_quote) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0' || (!allow_quote && c == '"')) return false;
  return true;
}

}  // namespace

MultipartBuilder::MultipartBuilder() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    std::random_device rd;  // fallback: the boundary need not be secret, only absent from the data
    for (unsigned char& b : raw) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  boundary_ = "chainbreak-";
  for (unsigned char b : raw) {
    boundary_ += kHex[b >> 4];
    boundary_ += kHex[b & 15];
  }
}

Status MultipartBuilder::add_field(std::string_view name, std::string_view value) {
  return add_part(name, {}, {}, value, false);
}

Status MultipartBuilder::add_file(std::string_view name, std::string_view filename, std::string_view content_type,
                                  std::string_view data) {
  return add_part(name, filename, content_type, data, true);
}

Status MultipartBuilder::add_part(std::string_view name, std::string_view filename, std::string_view content_type,
                                  std::string_view data, bool is_file) {
  if (name.empty() || !safe_header_word(name, false))
    return InvalidInput("multipart part name '" + std::string(name) + "' is empty or holds '\"', CR, LF or NUL");
  if (!safe_header_word(filename, false))
    return InvalidInput("multipart part " + std::string(name) + ": filename holds '\"', CR, LF or NUL");
  if (!safe_header_word(content_type, true))
    return InvalidInput("multipart part " + std::string(name) + ": content type holds CR, LF or NUL");
  if (data.find(boundary_) != std::string_view::npos) collision_ = true;
  body_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"";
  if (is_file) body_ += "; filename=\"" + std::string(filename) + "\"";
  body_ += "\r\n";
  if (!content_type.empty()) body_ += "Content-Type: " + std::string(content_type) + "\r\n";
  body_ += "\r\n";
  body_ += data;
  body_ += "\r\n";
  return Status::Ok();
}

std::string MultipartBuilder::content_type() const { return "multipart/form-data; boundary=" + boundary_; }

Result<std::string> MultipartBuilder::finish() {
  if (collision_) return Internal("a multipart part contains the boundary");
  body_ += "--" + boundary_ + "--\r\n";
  return std::move(body_);
}

}  // namespace chainbreak::reports
