#include "lists/list_test_support.h"

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace chainbreak::lists::testing {

ReadResult read_reader(Reader& reader) {
  ReadResult out;
  Record rec;
  for (;;) {
    RecordError err;
    Result<bool> r = reader.next(&rec, &err);
    if (!r.ok()) {
      out.status = r.status();
      break;
    }
    if (!r.value()) break;
    if (!err.reason.empty()) {
      out.trace.push_back("error:" + std::to_string(err.line) + ":" + err.field + ":" + err.reason);
      out.errors.push_back(err);
    } else {
      out.trace.push_back("ok");
      out.records.push_back(rec);
    }
  }
  out.skipped = reader.skipped();
  out.bytes_read = reader.bytes_read();
  return out;
}

ReadResult read_all(std::string_view data, Format format, store::SignalType default_type) {
  std::unique_ptr<Reader> reader = open_reader_from_memory(data, format, default_type);
  return read_reader(*reader);
}

namespace {

Result<std::string> write_with(Format format, const std::function<Status(Writer&)>& body) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  Status status;
  {
    Result<std::unique_ptr<Writer>> w = open_writer(f, format);
    if (!w.ok()) {
      status = w.status();
    } else {
      status = body(*w.value());
      if (status.ok()) status = w.value()->finish();
    }
  }
  std::fclose(f);
  std::string text(buf, size);
  std::free(buf);
  if (!status.ok()) return status;
  return text;
}

}  // namespace

Result<std::string> write_all(Format format, const std::vector<Record>& records) {
  return write_with(format, [&](Writer& w) {
    for (const Record& r : records)
      if (Status s = w.write_record(r); !s.ok()) return s;
    return Status::Ok();
  });
}

Result<std::string> write_entries(Format format, const std::vector<store::Entry>& entries) {
  return write_with(format, [&](Writer& w) {
    for (const store::Entry& e : entries)
      if (Status s = w.write(e); !s.ok()) return s;
    return Status::Ok();
  });
}

std::string random_hex(std::mt19937_64& rng, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(n, '0');
  for (char& c : s) c = kDigits[rng() & 15];
  return s;
}

store::Entry make_entry(store::SignalType type, std::string value) {
  store::Entry e;
  e.type = type;
  e.value = std::move(value);
  return e;
}

}  // namespace chainbreak::lists::testing
