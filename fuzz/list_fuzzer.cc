// libFuzzer target: arbitrary bytes through every list reader (plain,
// hma-csv, ncmec-xml). Must never crash, hang, leak or read out of bounds.
// What a reader accepts must also survive its own writer: writing the
// records read, reading that back and writing again gives the same bytes
// (write(read(write(read(x)))) == write(read(x))), and a record read must
// always be writable in its format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lists/hash_list.h"

namespace {

using namespace chainbreak;

// Reads everything; the records read (errors are skipped), or nothing when
// reading stopped on a fatal error.
bool read_records(std::string_view data, lists::Format format, store::SignalType type,
                  std::vector<lists::Record>* out) {
  std::unique_ptr<lists::Reader> reader = lists::open_reader_from_memory(data, format, type);
  lists::Record rec;
  for (;;) {
    lists::RecordError err;
    Result<bool> r = reader->next(&rec, &err);
    if (!r.ok()) return false;
    if (!r.value()) break;
    if (!err.reason.empty()) continue;
    if (!rec.by_external_id && rec.entry.value.empty()) __builtin_trap();
    out->push_back(rec);
  }
  if (reader->bytes_read() > data.size()) __builtin_trap();
  return true;
}

std::string write_records(lists::Format format, const std::vector<lists::Record>& records) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  {
    Result<std::unique_ptr<lists::Writer>> w = lists::open_writer(f, format);
    if (!w.ok()) __builtin_trap();
    for (const lists::Record& r : records)
      if (!w.value()->write_record(r).ok()) __builtin_trap();  // what we read, we can write
    if (!w.value()->finish().ok()) __builtin_trap();
  }
  std::fclose(f);
  std::string text(buf, size);
  std::free(buf);
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the default signal type; the rest is the list.
  const store::SignalType type = static_cast<store::SignalType>(1 + data[0] % 4);
  const std::string_view list(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (lists::Format format : {lists::Format::kPlain, lists::Format::kHmaCsv, lists::Format::kNcmecXml}) {
    std::vector<lists::Record> first;
    if (!read_records(list, format, type, &first)) continue;
    const std::string text1 = write_records(format, first);
    std::vector<lists::Record> second;
    if (!read_records(text1, format, type, &second)) __builtin_trap();
    if (second.size() != first.size()) __builtin_trap();
    if (write_records(format, second) != text1) __builtin_trap();
  }
  return 0;
}
