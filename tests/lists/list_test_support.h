// Helpers for the list format tests: read everything from a string, write
// entries to a string, generate random (synthetic) hashes.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "lists/hash_list.h"

namespace chainbreak::lists::testing {

// Everything a reader produced, in order.
struct ReadResult {
  std::vector<Record> records;
  std::vector<RecordError> errors;
  Status status;  // non-ok when reading stopped on a fatal error
  uint64_t skipped = 0;
  uint64_t bytes_read = 0;
  // "ok" / "error:<line>:<field>:<reason>" per item in input order.
  std::vector<std::string> trace;
};

ReadResult read_all(std::string_view data, Format format, store::SignalType default_type = store::SignalType::kPdq);
ReadResult read_reader(Reader& reader);

// Writes the records (additions and deletions) and finishes; the output
// text, or the first failing Status.
Result<std::string> write_all(Format format, const std::vector<Record>& records);
Result<std::string> write_entries(Format format, const std::vector<store::Entry>& entries);

// n lowercase hex digits from rng.
std::string random_hex(std::mt19937_64& rng, size_t n);

store::Entry make_entry(store::SignalType type, std::string value);

}  // namespace chainbreak::lists::testing
