// hma-csv: the CSV of `threatexchange dataset -P --csv` (header
// signal_type,signal_str,collab,category,tags), chainbreak's extension
// columns, and the headerless rows of threatexchange's simple serialization
// (HMA's simple.<type>.te files). docs/FORMATS.md has the details.
#include <nlohmann/json.hpp>

#include "lists/csv.h"
#include "lists/fields.h"
#include "lists/formats.h"
#include "lists/output.h"

namespace chainbreak::lists {
namespace {

enum Column {
  kType,
  kSignal,
  kSourceOrg,
  kCategory,
  kClassification,
  kExternalId,
  kLegalBasis,
  kConfidence,
  kAddedAt,
  kExpiresAt,
  kUpVotes,
  kDownVotes,
  kMetadata,
  kColumns,
  kOther = kColumns,
};

struct ColumnName {
  const char* name;
  Column column;
};
constexpr ColumnName kColumnNames[] = {
    {"signal_type", kType},
    {"signal_str", kSignal},
    {"signal", kSignal},
    {"indicator", kSignal},
    {"hash", kSignal},
    {"collab", kSourceOrg},
    {"source_org", kSourceOrg},
    {"category", kCategory},
    {"tags", kClassification},
    {"classification", kClassification},
    {"external_id", kExternalId},
    {"indicator_id", kExternalId},
    {"legal_basis", kLegalBasis},
    {"confidence", kConfidence},
    {"added_at", kAddedAt},
    {"added_on", kAddedAt},
    {"expires_at", kExpiresAt},
    {"up_votes", kUpVotes},
    {"down_votes", kDownVotes},
    {"metadata", kMetadata},
};

// The header our writer emits (the five threatexchange columns first).
constexpr const char* kHeader =
    "signal_type,signal_str,collab,category,tags,external_id,legal_basis,confidence,added_at,expires_at,"
    "up_votes,down_votes,metadata\r\n";

// threatexchange signal types we do not hold: counted and skipped.
constexpr std::string_view kForeignTypes[] = {"url",  "url_md5",  "raw_text", "trend_query", "text_tlsh",     "tlsh",
                                              "vpdq", "photodna", "pdq_ocr",  "tmk_pdqf",    "video_tmk_pdqf"};

enum class TypeName { kOurs, kForeign, kUnknown };
TypeName classify_type(std::string_view name, store::SignalType* out) {
  if (std::optional<store::SignalType> t = parse_type_name(name)) {
    *out = *t;
    return TypeName::kOurs;
  }
  struct Alias {
    std::string_view name;
    store::SignalType type;
  };
  static constexpr Alias kAliases[] = {{"video_md5", store::SignalType::kMd5},
                                       {"photo_md5", store::SignalType::kMd5},
                                       {"video_sha256", store::SignalType::kSha256},
                                       {"photo_sha256", store::SignalType::kSha256}};
  for (const Alias& a : kAliases)
    if (iequals(name, a.name)) {
      *out = a.type;
      return TypeName::kOurs;
    }
  for (std::string_view f : kForeignTypes)
    if (iequals(name, f)) return TypeName::kForeign;
  return TypeName::kUnknown;
}

class CsvReader final : public Reader {
 public:
  CsvReader(std::unique_ptr<Input> in, store::SignalType default_type)
      : buf_(std::move(in)), default_type_(default_type) {}

  Result<bool> next(Record* out, RecordError* error) override {
    error->reason.clear();
    for (;;) {
      uint64_t line = 0;
      std::string reason;
      Result<int> got = next_fields(&line, &reason);
      if (!got.ok()) return got.status();
      if (got.value() == 0) return false;
      if (got.value() < 0) return fail(error, line, "", reason);
      const std::vector<std::string_view>& f = fields_.fields;
      if (f.size() == 1 && trim(f[0]).empty()) continue;  // blank line
      if (!layout_known_) {
        layout_known_ = true;
        if (is_header(f)) {
          if (Status s = read_header(f, line); !s.ok()) return s;
          continue;
        }
      }
      row_ = Row{};
      meta_.clear();
      if (!(header_ ? map_header_row(f, line, error) : map_headerless_row(f, line, error))) return true;
      if (row_.foreign) {
        ++skipped_;
        continue;
      }
      return commit(line, out, error);
    }
  }
  uint64_t bytes_read() const override { return buf_.bytes_consumed(); }
  uint64_t skipped() const override { return skipped_; }

 private:
  // Views of one row's values (into the buffer), validated before commit.
  struct Row {
    bool foreign = false;
    store::SignalType type = store::SignalType::kPdq;
    std::string_view signal, cols[kColumns];
  };

  static bool fail(RecordError* e, uint64_t line, std::string field, std::string reason) {
    e->line = line;
    e->field = std::move(field);
    e->reason = std::move(reason);
    return true;
  }

  // 1 with fields_ filled, 0 at end, -1 for a malformed record (*reason).
  Result<int> next_fields(uint64_t* line, std::string* reason) {
    for (;;) {
      const std::string_view v = buf_.view();
      if (!started_ && (v.size() >= 3 || buf_.eof())) {
        started_ = true;
        if (v.substr(0, 3) == "\xEF\xBB\xBF") buf_.consume(3);
        continue;
      }
      if (started_ && skip_to_newline_ && !v.empty()) {
        const size_t nl = v.find('\n');
        buf_.consume(nl == std::string_view::npos ? v.size() : nl + 1);
        if (nl != std::string_view::npos) {
          skip_to_newline_ = false;
          ++line_;
        }
        continue;
      }
      if (started_ && !v.empty()) {
        size_t consumed = 0, newlines = 0;
        const CsvStatus s = parse_csv_record(v, buf_.eof(), kMaxRecordBytes, &fields_, &consumed, &newlines, reason);
        if (s != CsvStatus::kNeedMore) {
          *line = line_;
          line_ += newlines;
          buf_.consume(consumed);
          if (s == CsvStatus::kRecord) return 1;
          skip_to_newline_ = consumed > 0 && v[consumed - 1] != '\n';
          return -1;
        }
      }
      if (buf_.eof() && v.empty()) return 0;
      Result<bool> r = buf_.refill();
      if (!r.ok()) return r.status();
    }
  }

  static Column column_of(std::string_view name) {
    for (const ColumnName& c : kColumnNames)
      if (iequals(trim(name), c.name)) return c.column;
    return kOther;
  }

  static bool is_header(const std::vector<std::string_view>& f) {
    for (std::string_view name : f) {
      const Column c = column_of(name);
      if (c == kType || c == kSignal) return true;
    }
    return false;
  }

  Status read_header(const std::vector<std::string_view>& f, uint64_t line) {
    header_ = true;
    for (int& c : column_index_) c = -1;
    columns_.assign(f.size(), kOther);
    names_.clear();
    for (size_t i = 0; i < f.size(); ++i) {
      names_.emplace_back(trim(f[i]));
      const Column c = column_of(f[i]);
      columns_[i] = c;
      for (size_t k = 0; k < i; ++k)
        if ((c != kOther && columns_[k] == c) || iequals(names_[k], names_[i]))
          return InvalidInput("line " + std::to_string(line) + ": CSV header names column '" + names_[i] +
                              "' twice (or two names for it)");
      if (c != kOther) column_index_[c] = static_cast<int>(i);
    }
    if (column_index_[kSignal] < 0)
      return InvalidInput("line " + std::to_string(line) + ": CSV header has no signal_str column");
    return Status::Ok();
  }

  bool set_type(std::string_view name, uint64_t line, RecordError* error) {
    name = trim(name);
    if (name.empty()) return !fail(error, line, "signal_type", "empty signal type");
    switch (classify_type(name, &row_.type)) {
      case TypeName::kOurs: return true;
      case TypeName::kForeign: row_.foreign = true; return true;
      case TypeName::kUnknown: break;
    }
    fail(error, line, "signal_type", "unknown signal type '" + std::string(name.substr(0, 40)) + "'");
    return false;
  }

  bool map_header_row(const std::vector<std::string_view>& f, uint64_t line, RecordError* error) {
    if (f.size() != columns_.size()) {
      fail(error, line, "",
           "expected " + std::to_string(columns_.size()) + " fields as in the header, got " + std::to_string(f.size()));
      return false;
    }
    row_.type = default_type_;
    for (size_t i = 0; i < f.size(); ++i) {
      if (columns_[i] == kType) {
        if (!set_type(f[i], line, error)) return false;
      } else if (columns_[i] != kOther) {
        row_.cols[columns_[i]] = f[i];
      } else if (!f[i].empty()) {
        if (f[i].size() > kMaxFieldBytes) return !fail(error, line, names_[i], too_long());
        meta_.add(names_[i], f[i]);
      }
    }
    row_.signal = row_.cols[kSignal];
    return true;
  }

  // signal_type,signal_str[,collab[,category[,tags]]] when the first field
  // names a type; else threatexchange's simple serialization of
  // default_type: indicator[,indicator_id],first_descriptor_id,added_on,labels.
  bool map_headerless_row(const std::vector<std::string_view>& f, uint64_t line, RecordError* error) {
    store::SignalType t;
    if (classify_type(trim(f[0]), &t) != TypeName::kUnknown) {
      if (f.size() < 2 || f.size() > 5) {
        fail(error, line, "",
             "expected signal_type,signal_str[,collab[,category[,tags]]], got " + std::to_string(f.size()) + " fields");
        return false;
      }
      if (!set_type(f[0], line, error)) return false;
      row_.signal = f[1];
      static constexpr Column kRest[] = {kSourceOrg, kCategory, kClassification};
      for (size_t i = 2; i < f.size(); ++i) row_.cols[kRest[i - 2]] = f[i];
      return true;
    }
    row_.type = default_type_;
    row_.signal = f[0];
    if (f.size() == 1) return true;
    if (f.size() != 4 && f.size() != 5) {
      fail(error, line, "",
           "expected 1, 4 or 5 fields (indicator[,indicator_id],first_descriptor_id,added_on,labels)"
           " or a signal type first, got " +
               std::to_string(f.size()) + " fields");
      return false;
    }
    const size_t k = f.size() - 4;  // 1 when indicator_id is present
    if (k == 1) row_.cols[kExternalId] = f[1];
    if (!f[1 + k].empty()) meta_.add("te_descriptor_id", f[1 + k]);
    int64_t t_added = 0;
    if (parse_time(trim(f[2 + k]), &t_added))
      row_.cols[kAddedAt] = f[2 + k];
    else if (!f[2 + k].empty())
      meta_.add("te_added_on", f[2 + k]);  // "mine" and other free text
    row_.cols[kClassification] = f[3 + k];
    return true;
  }

  static std::string too_long() { return "longer than " + std::to_string(kMaxFieldBytes) + " bytes"; }

  bool commit(uint64_t line, Record* out, RecordError* error) {
    if (!normalize_hex(trim(row_.signal), row_.type, &hash_, &reason_)) return fail(error, line, "signal_str", reason_);
    for (int c = 0; c < kColumns; ++c)
      if (row_.cols[c].size() > kMaxFieldBytes) return fail(error, line, column_name(c), too_long());
    double confidence = 1.0;
    int64_t times[2] = {0, 0};
    int32_t votes[2] = {0, 0};
    const std::string_view conf = trim(row_.cols[kConfidence]);
    if (!conf.empty() && !parse_confidence(conf, &confidence))
      return fail(error, line, "confidence", "expected a number from 0 to 1, got '" + std::string(conf) + "'");
    for (int i = 0; i < 2; ++i) {
      const std::string_view t = trim(row_.cols[kAddedAt + i]);
      if (!t.empty() && !parse_time(t, &times[i]))
        return fail(error, line, column_name(kAddedAt + i),
                    "expected RFC 3339 (2024-05-01T12:00:00Z) or unix seconds, got '" + std::string(t) + "'");
      const std::string_view v = trim(row_.cols[kUpVotes + i]);
      if (!v.empty() && (!parse_int32(v, &votes[i]) || votes[i] < 0))
        return fail(error, line, column_name(kUpVotes + i),
                    "expected a count (0 or more), got '" + std::string(v) + "'");
    }
    const std::string_view category = trim(row_.cols[kCategory]);
    if (!category.empty() && category != "POSITIVE_CLASS" && !meta_.add("category", category))
      return fail(error, line, "category", "given twice");
    if (!trim(row_.cols[kMetadata]).empty() && !meta_.merge(row_.cols[kMetadata], &reason_))
      return fail(error, line, "metadata", reason_);
    if (!meta_.finish(&meta_json_, &reason_)) return fail(error, line, "metadata", reason_);

    out->deletion = false;
    out->by_external_id = false;
    out->line = line;
    store::Entry& e = out->entry;
    reset_entry(&e);
    e.type = row_.type;
    e.value.assign(hash_);
    e.external_id.assign(row_.cols[kExternalId]);
    e.source_org.assign(row_.cols[kSourceOrg]);
    e.classification.assign(row_.cols[kClassification]);
    e.legal_basis.assign(row_.cols[kLegalBasis]);
    e.added_at = times[0];
    e.expires_at = times[1];
    e.confidence = confidence;
    e.up_votes = votes[0];
    e.down_votes = votes[1];
    e.metadata_json.assign(meta_json_);
    return true;
  }

  static std::string column_name(int c) {
    for (const ColumnName& n : kColumnNames)
      if (n.column == c) return n.name;
    return "";
  }

  Buffer buf_;
  store::SignalType default_type_;
  CsvFields fields_;
  uint64_t line_ = 1, skipped_ = 0;
  bool started_ = false, skip_to_newline_ = false, layout_known_ = false, header_ = false;
  std::vector<Column> columns_;
  std::vector<std::string> names_;
  int column_index_[kColumns];
  Row row_;
  MetadataBuilder meta_;
  std::string hash_, reason_, meta_json_;
};

class CsvWriter final : public Writer {
 public:
  explicit CsvWriter(std::FILE* out) : out_(out) {}

  Status write(const store::Entry& e) override {
    if (!normalize_hex(e.value, e.type, &hex_, &reason_)) return InvalidInput("value: " + reason_);
    std::string category = "POSITIVE_CLASS", metadata;
    if (!e.metadata_json.empty()) {
      nlohmann::json j = nlohmann::json::parse(e.metadata_json, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return InvalidInput("metadata_json: not a JSON object");
      auto it = j.find("category");
      if (it != j.end() && it->is_string()) {
        category = it->get<std::string>();
        j.erase(it);
      }
      if (!j.empty()) metadata = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string& t = out_.text();
    if (!header_written_) {
      t += kHeader;
      header_written_ = true;
    }
    t += type_name(e.type);
    t += ',';
    t += hex_;
    for (const std::string* s : {&e.source_org, static_cast<const std::string*>(&category), &e.classification,
                                 &e.external_id, &e.legal_basis}) {
      t += ',';
      append_csv_field(*s, &t);
    }
    t += ',';
    if (e.confidence != 1.0) append_double(e.confidence, &t);
    for (int64_t time : {e.added_at, e.expires_at}) {
      t += ',';
      if (time != 0) append_time(time, &t);
    }
    for (int32_t n : {e.up_votes, e.down_votes}) {
      t += ',';
      if (n != 0) t += std::to_string(n);
    }
    t += ',';
    append_csv_field(metadata, &t);
    t += "\r\n";
    return out_.maybe_flush();
  }
  Status write_record(const Record& r) override {
    if (r.deletion) return Unsupported("hma-csv cannot carry deletions");
    return write(r.entry);
  }
  Status finish() override {
    if (!header_written_) {
      out_.text() += kHeader;
      header_written_ = true;
    }
    return out_.flush();
  }

 private:
  Output out_;
  bool header_written_ = false;
  std::string hex_, reason_;
};

}  // namespace

std::unique_ptr<Reader> make_csv_reader(std::unique_ptr<Input> in, store::SignalType default_type) {
  return std::make_unique<CsvReader>(std::move(in), default_type);
}

std::unique_ptr<Writer> make_csv_writer(std::FILE* out) { return std::make_unique<CsvWriter>(out); }

}  // namespace chainbreak::lists
