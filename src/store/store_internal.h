// What both store implementations share: argument validation (done before
// anything is written), hex <-> raw byte conversion at the boundary (values
// are kept as raw bytes in the databases), and the clock. Internal to
// src/store; not part of the public interface.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/store.h"
#include "util/result.h"

namespace chainbreak::store::internal {

// Raw byte length of a value of type t (pdq 32, md5 16, sha1 20, sha256 32);
// 0 for a value outside the enum.
size_t value_bytes(SignalType t);

// Decodes hex (either case) of exactly value_bytes(t) bytes into out
// (resized). kInvalidInput naming what is wrong (type, length, character).
Status hex_to_bytes(SignalType t, std::string_view hex, std::string& out);
// Lowercase hex of raw bytes.
std::string bytes_to_hex(std::string_view bytes);
// Appends the lowercase hex of raw bytes to out.
void append_hex(std::string_view bytes, std::string& out);

// Checks a bank's settings (name [A-Za-z0-9_.-]{1,64}, UTF-8 description
// without NUL, pdq_threshold 0..63, disabled_until >= 0, quarantine_reason
// UTF-8 without NUL of at most 1000 characters). kInvalidInput.
Status validate_bank(const Bank& bank);

// Checks one entry for add_entries and decodes its value into raw (resized):
// known type, hex of the right length, confidence in 0..1, timestamps >= 0,
// votes >= 0, not removed, text fields valid UTF-8 without NUL,
// metadata_json "" or (after surrounding spaces) {...}. kInvalidInput with
// the entry's position in the batch.
Status validate_entry(const Entry& e, size_t index, std::string& raw);
// validate_entry over a batch: the decoded values back to back in *raws
// (their lengths follow from their types). The first error, naming op.
Status validate_entries(std::span<const Entry> entries, std::string_view op, std::string* raws);

// True when s is valid UTF-8 without NUL bytes (PostgreSQL text accepts
// neither, so both backends refuse them the same way).
bool valid_text(std::string_view s);

// Checks vote() arguments: both counts >= 0. kInvalidInput otherwise.
Status validate_votes(int up, int down);

// Seconds since the Unix epoch.
int64_t now_seconds();

// Prefixes the message of a failed status with context ("add_entries: ...");
// returns ok unchanged.
Status with_context(const Status& s, std::string_view context);

}  // namespace chainbreak::store::internal
