// Errors as values: Status (success or a message) and Result<T> (a value or
// a Status). Nothing in chainbreak's public API throws across its boundary;
// callers get one of these and cannot forget to look.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace chainbreak {

// The broad kind of a failure, for callers that react differently to each
// (the CLI maps them to messages, the HTTP layer later to status codes).
enum class ErrorCode {
  kOk = 0,
  kInvalidInput,   // the input is malformed (corrupt image, bad hex, ...)
  kUnsupported,    // well-formed but of a kind we do not handle
  kLimitExceeded,  // refused because it is over a configured limit
  kIo,             // the operating system refused (open, read, write)
  kInternal,       // a bug or an unexpected library failure
};

class Status {
 public:
  Status() = default;  // success
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // A human-readable reason, without the subject (the caller prefixes the
  // file name or field it was working on). Empty when ok().
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InvalidInput(std::string m) { return {ErrorCode::kInvalidInput, std::move(m)}; }
inline Status Unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
inline Status LimitExceeded(std::string m) { return {ErrorCode::kLimitExceeded, std::move(m)}; }
inline Status IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// Holds either a T or a non-ok Status.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                                              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // Precondition for value(): ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  // The error; an ok Status when the result holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace chainbreak
