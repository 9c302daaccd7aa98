// plain: "[-]<hex>[TAB<external id>[TAB<key>=<value>]...]" per line.
// The grammar, escapes and keys are in docs/FORMATS.md.
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "lists/fields.h"
#include "lists/formats.h"
#include "lists/output.h"

namespace chainbreak::lists {
namespace {

constexpr std::string_view kKnownKeys[] = {"source_org", "classification", "legal_basis", "confidence",   "added_at",
                                           "expires_at", "up_votes",       "down_votes",  "metadata_json"};

bool is_known_key(std::string_view k) {
  for (std::string_view known : kKnownKeys)
    if (k == known) return true;
  return false;
}

// At most 40 characters of s for a message.
std::string shown(std::string_view s) { return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 37)) + "..."; }

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

class PlainReader final : public Reader {
 public:
  PlainReader(std::unique_ptr<Input> in, store::SignalType type)
      : lines_(std::move(in), kMaxRecordBytes), type_(type) {}

  Result<bool> next(Record* out, RecordError* error) override {
    error->reason.clear();
    for (;;) {
      std::string_view line;
      uint64_t no = 0;
      Result<LineReader::Kind> k = lines_.next(&line, &no);
      if (!k.ok()) return k.status();
      if (k.value() == LineReader::Kind::kEnd) return false;
      if (k.value() == LineReader::Kind::kTooLong)
        return fail(error, no, "", "line longer than " + std::to_string(kMaxRecordBytes) + " bytes");
      const std::string_view content = trim(line);
      if (content.empty() || content[0] == '#') continue;
      return parse(line, no, out, error);
    }
  }
  uint64_t bytes_read() const override { return lines_.bytes_consumed(); }
  uint64_t skipped() const override { return 0; }

 private:
  // Field values of the line being parsed: views into the line or into
  // the storage strings (after unescaping); committed only when all is valid.
  struct Fields {
    std::string_view id, source_org, classification, legal_basis;
    int64_t added_at = 0, expires_at = 0;
    double confidence = 1.0;
    int32_t up_votes = 0, down_votes = 0;
    unsigned seen = 0;  // bit per known key, for duplicates
  };

  static bool fail(RecordError* e, uint64_t line, std::string field, std::string reason) {
    e->line = line;
    e->field = std::move(field);
    e->reason = std::move(reason);
    return true;
  }

  bool parse(std::string_view line, uint64_t no, Record* out, RecordError* error) {
    const bool deletion = line[0] == '-';
    if (deletion) line.remove_prefix(1);
    const size_t tab = line.find('\t');
    const std::string_view hash = trim_spaces(line.substr(0, tab));
    const bool by_id = deletion && hash.empty() && tab != std::string_view::npos;
    if (!by_id) {
      if (hash.empty()) return fail(error, no, "hash", "missing hash");
      if (!normalize_hex(hash, type_, &hash_, &reason_)) return fail(error, no, "hash", reason_);
    }
    Fields f;
    meta_.clear();
    if (tab != std::string_view::npos) {
      std::string_view rest = line.substr(tab + 1);
      size_t end = rest.find('\t');
      const std::string_view raw_id = rest.substr(0, end);
      if (raw_id.size() > kMaxFieldBytes) return fail(error, no, "id", too_long());
      const size_t eq = raw_id.find('=');
      if (eq != std::string_view::npos && is_known_key(raw_id.substr(0, eq)))
        return fail(error, no, "id",
                    "the second field is the external id, not '" + std::string(raw_id.substr(0, eq)) +
                        "=' (leave it empty before metadata: hash<TAB><TAB>key=value)");
      f.id = unescape(raw_id, &storage_[0]);
      int field_no = 3;
      while (end != std::string_view::npos) {
        rest.remove_prefix(end + 1);
        end = rest.find('\t');
        if (!parse_pair(rest.substr(0, end), field_no++, no, &f, error)) return true;
      }
    }
    if (by_id && f.id.empty()) return fail(error, no, "id", "a deletion by external id ('-<TAB>id') needs an id");
    if (!meta_.finish(&meta_json_, &reason_)) return fail(error, no, "metadata_json", reason_);

    out->deletion = deletion;
    out->by_external_id = by_id;
    out->line = no;
    store::Entry& e = out->entry;
    reset_entry(&e);
    e.type = type_;
    if (!by_id) e.value.assign(hash_);
    e.external_id.assign(f.id);
    e.source_org.assign(f.source_org);
    e.classification.assign(f.classification);
    e.legal_basis.assign(f.legal_basis);
    e.added_at = f.added_at;
    e.expires_at = f.expires_at;
    e.confidence = f.confidence;
    e.up_votes = f.up_votes;
    e.down_votes = f.down_votes;
    e.metadata_json.assign(meta_json_);
    return true;
  }

  // One "key=value" field; false after filling *error.
  bool parse_pair(std::string_view field, int field_no, uint64_t no, Fields* f, RecordError* error) {
    if (field.empty()) return true;  // "hash<TAB>id<TAB>" and the like
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      fail(error, no, "field " + std::to_string(field_no), "expected key=value, got '" + shown(field) + "'");
      return false;
    }
    if (field.size() > kMaxFieldBytes) {
      fail(error, no, std::string(shown(field.substr(0, eq))), too_long());
      return false;
    }
    const std::string_view key = unescape(field.substr(0, eq), &key_storage_);
    const std::string_view raw = field.substr(eq + 1);
    int index = -1;
    for (int i = 0; i < static_cast<int>(std::size(kKnownKeys)); ++i)
      if (key == kKnownKeys[i]) index = i;
    if (index < 0) {
      if (!meta_.add(key, unescape(raw, &value_storage_))) {
        fail(error, no, std::string(key), "key given twice");
        return false;
      }
      return true;
    }
    if (f->seen & (1u << index)) {
      fail(error, no, std::string(key), "key given twice");
      return false;
    }
    f->seen |= 1u << index;
    std::string why;
    switch (index) {
      case 0: f->source_org = unescape(raw, &storage_[1]); return true;
      case 1: f->classification = unescape(raw, &storage_[2]); return true;
      case 2: f->legal_basis = unescape(raw, &storage_[3]); return true;
      case 3:
        if (parse_confidence(raw, &f->confidence)) return true;
        why = "expected a number from 0 to 1, got '" + shown(raw) + "'";
        break;
      case 4:
      case 5:
        if (parse_time(raw, index == 4 ? &f->added_at : &f->expires_at)) return true;
        why = "expected RFC 3339 (2024-05-01T12:00:00Z) or unix seconds, got '" + shown(raw) + "'";
        break;
      case 6:
      case 7: {
        int32_t* v = index == 6 ? &f->up_votes : &f->down_votes;
        if (parse_int32(raw, v) && *v >= 0) return true;
        why = "expected a count (0 or more), got '" + shown(raw) + "'";
        break;
      }
      default:
        if (meta_.merge(unescape(raw, &value_storage_), &why)) return true;
        break;
    }
    fail(error, no, std::string(key), why);
    return false;
  }

  static std::string too_long() { return "longer than " + std::to_string(kMaxFieldBytes) + " bytes"; }

  LineReader lines_;
  store::SignalType type_;
  MetadataBuilder meta_;
  std::string hash_, reason_, meta_json_, key_storage_, value_storage_;
  std::string storage_[4];  // id, source_org, classification, legal_basis
};

class PlainWriter final : public Writer {
 public:
  explicit PlainWriter(std::FILE* out) : out_(out) {}

  Status write(const store::Entry& entry) override { return write_line(false, false, entry); }
  Status write_record(const Record& r) override {
    return write_line(r.deletion, r.deletion && r.by_external_id, r.entry);
  }
  Status finish() override { return out_.flush(); }

 private:
  Status write_line(bool deletion, bool by_id, const store::Entry& e) {
    if (by_id) {
      if (e.external_id.empty()) return InvalidInput("deletion by external id without an external id");
    } else {
      if (type_ && *type_ != e.type)
        return InvalidInput(std::string("a plain list holds one signal type: got ") + type_name(e.type) + " after " +
                            type_name(*type_));
      if (!normalize_hex(e.value, e.type, &hex_, &reason_)) return InvalidInput("value: " + reason_);
    }
    fields_.clear();
    auto kv = [&](const char* key, std::string_view v) {
      fields_ += '\t';
      fields_ += key;
      fields_ += '=';
      append_escaped(v, &fields_);
    };
    if (!e.source_org.empty()) kv("source_org", e.source_org);
    if (!e.classification.empty()) kv("classification", e.classification);
    if (!e.legal_basis.empty()) kv("legal_basis", e.legal_basis);
    if (e.confidence != 1.0) {
      fields_ += "\tconfidence=";
      append_double(e.confidence, &fields_);
    }
    for (auto [key, t] : {std::pair{"added_at", e.added_at}, std::pair{"expires_at", e.expires_at}}) {
      if (t == 0) continue;
      fields_ += '\t';
      fields_ += key;
      fields_ += '=';
      append_time(t, &fields_);
    }
    for (auto [key, n] : {std::pair{"up_votes", e.up_votes}, std::pair{"down_votes", e.down_votes}})
      if (n != 0) kv(key, std::to_string(n));
    if (Status s = append_metadata(e.metadata_json); !s.ok()) return s;

    if (!by_id) type_ = e.type;  // the file's type, once something is written
    std::string& t = out_.text();
    if (deletion) t += '-';
    if (!by_id) t += hex_;
    if (by_id || !e.external_id.empty() || !fields_.empty()) {
      t += '\t';
      const size_t eq = e.external_id.find('=');
      if (eq != std::string::npos && is_known_key(std::string_view(e.external_id).substr(0, eq))) {
        // "source_org=x" as an id would read as a misplaced key: write "source_org\=x".
        append_escaped(std::string_view(e.external_id).substr(0, eq), &t);
        t += "\\=";
        append_escaped(std::string_view(e.external_id).substr(eq + 1), &t);
      } else {
        append_escaped(e.external_id, &t);
      }
    }
    t += fields_;
    t += '\n';
    return out_.maybe_flush();
  }

  // Metadata members as key=value when they are strings under keys that
  // read back unchanged, else the whole object as metadata_json=<json>.
  Status append_metadata(const std::string& json) {
    if (json.empty()) return Status::Ok();
    const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return InvalidInput("metadata_json: not a JSON object");
    bool simple = true;
    for (auto it = j.begin(); it != j.end() && simple; ++it)
      simple = it.value().is_string() && !it.key().empty() && it.key().find('=') == std::string::npos &&
               !is_known_key(it.key());
    if (!simple) {
      fields_ += "\tmetadata_json=";
      append_escaped(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), &fields_);
      return Status::Ok();
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      fields_ += '\t';
      append_escaped(it.key(), &fields_);
      fields_ += '=';
      append_escaped(it.value().get_ref<const std::string&>(), &fields_);
    }
    return Status::Ok();
  }

  Output out_;
  std::optional<store::SignalType> type_;
  std::string hex_, reason_, fields_;
};

}  // namespace

void append_escaped(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      default: out->push_back(c);
    }
  }
}

std::string_view unescape(std::string_view s, std::string* storage) {
  if (s.find('\\') == std::string_view::npos) return s;
  storage->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char n = s[i + 1];
      const char r = n == '\\' ? '\\' : n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == '=' ? '=' : 0;
      if (r != 0) {
        storage->push_back(r);
        ++i;
        continue;
      }
    }
    storage->push_back(s[i]);
  }
  return *storage;
}

std::unique_ptr<Reader> make_plain_reader(std::unique_ptr<Input> in, store::SignalType type) {
  return std::make_unique<PlainReader>(std::move(in), type);
}

std::unique_ptr<Writer> make_plain_writer(std::FILE* out) { return std::make_unique<PlainWriter>(out); }

}  // namespace chainbreak::lists
