#include "lists/hash_list.h"

#include "lists/formats.h"

namespace chainbreak::lists {
namespace {

std::unique_ptr<Reader> make_reader(std::unique_ptr<Input> in, Format format, store::SignalType default_type) {
  switch (format) {
    case Format::kPlain: return make_plain_reader(std::move(in), default_type);
    case Format::kHmaCsv: return make_csv_reader(std::move(in), default_type);
    case Format::kNcmecXml: return make_ncmec_reader(std::move(in));
  }
  return nullptr;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  for (Format f : {Format::kPlain, Format::kHmaCsv, Format::kNcmecXml})
    if (name == format_name(f)) return f;
  return std::nullopt;
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kPlain: return "plain";
    case Format::kHmaCsv: return "hma-csv";
    case Format::kNcmecXml: return "ncmec-xml";
  }
  return "unknown";
}

Result<std::unique_ptr<Reader>> open_reader(const std::string& path, Format format, store::SignalType default_type) {
  Result<std::unique_ptr<Input>> in = open_input(path);
  if (!in.ok()) return in.status();
  return make_reader(std::move(in).value(), format, default_type);
}

std::unique_ptr<Reader> open_reader(std::FILE* in, Format format, store::SignalType default_type) {
  return make_reader(input_from_file(in), format, default_type);
}

std::unique_ptr<Reader> open_reader_from_memory(std::string_view data, Format format, store::SignalType default_type) {
  return make_reader(input_from_memory(data), format, default_type);
}

Result<std::unique_ptr<Writer>> open_writer(std::FILE* out, Format format) {
  switch (format) {
    case Format::kPlain: return make_plain_writer(out);
    case Format::kHmaCsv: return make_csv_writer(out);
    case Format::kNcmecXml: return make_ncmec_writer(out);
  }
  return Internal("unknown format");
}

}  // namespace chainbreak::lists
