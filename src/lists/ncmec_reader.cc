// ncmec-xml reader: NCMEC hash-sharing API v2 <queryResult> documents,
// streamed through expat. Entries are collected while parsing a block and
// handed out one record per supported fingerprint.
#include <expat.h>

#include <cstring>
#include <vector>

#include "lists/fields.h"
#include "lists/formats.h"

namespace chainbreak::lists {
namespace {

constexpr size_t kChunk = 256 * 1024;
constexpr int kMaxDepth = 256;
// Bytes expat may take in without a single callback (one start tag,
// comment, ...): beyond that the input is refused as absurd.
constexpr uint64_t kMaxSilentBytes = 16u << 20;

enum class El : uint8_t {
  kOther,
  kSection,
  kEntry,
  kMember,
  kId,
  kClassification,
  kTimestamp,
  kFingerprints,
  kFingerprint,
  kFeedback,
  kAffirmative,
  kNegative,
  kReasons,
  kFbMembers,
  kFbMember,
};

bool is_text(El e) {
  return e == El::kMember || e == El::kId || e == El::kClassification || e == El::kTimestamp || e == El::kFingerprint;
}

std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const XML_Char* attr(const XML_Char** atts, const char* key) {
  for (int i = 0; atts[i] != nullptr; i += 2)
    if (std::strcmp(atts[i], key) == 0) return atts[i + 1];
  return nullptr;
}

std::string_view xml_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Index for votes and fingerprints: md5 0, sha1 1, pdq 2, -1 for others.
int fp_index(std::string_view name) {
  if (iequals(name, "md5")) return 0;
  if (iequals(name, "sha1")) return 1;
  if (iequals(name, "pdq")) return 2;
  return -1;
}
constexpr store::SignalType kFpTypes[] = {store::SignalType::kMd5, store::SignalType::kSha1, store::SignalType::kPdq};

class NcmecReader final : public Reader {
 public:
  explicit NcmecReader(std::unique_ptr<Input> in) : in_(std::move(in)), parser_(XML_ParserCreate(nullptr)) {
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &NcmecReader::on_start, &NcmecReader::on_end);
    XML_SetCharacterDataHandler(parser_, &NcmecReader::on_text);
    XML_SetStartDoctypeDeclHandler(parser_, &NcmecReader::on_doctype);
  }
  ~NcmecReader() override { XML_ParserFree(parser_); }

  Result<bool> next(Record* out, RecordError* error) override {
    error->reason.clear();
    for (;;) {
      if (head_ < count_) {
        Item& it = items_[head_++];
        if (it.is_error) {
          std::swap(*error, it.error);
        } else {
          std::swap(*out, it.record);
        }
        return true;
      }
      head_ = count_ = 0;
      if (!failure_.ok()) return failure_;
      if (finished_) return false;
      if (Status s = feed(); !s.ok()) failure_ = s;
    }
  }
  uint64_t bytes_read() const override { return bytes_; }
  uint64_t skipped() const override { return skipped_; }

 private:
  struct Item {
    bool is_error = false;
    Record record;
    RecordError error;
  };
  struct Fingerprint {
    std::string name, value;
    uint64_t line = 0;
    bool too_long = false;
  };
  struct EntryState {
    bool deleted = false, video = false;
    uint64_t line = 0;
    std::string id, member_id, member_name, classification, timestamp;
    std::vector<Fingerprint> fps;  // first nfps in use
    size_t nfps = 0;
    int up[3] = {0, 0, 0}, down[3] = {0, 0, 0};
    std::string too_long_field;  // first entry-level field over the limit
  };

  // Reads one chunk into expat; sets finished_ at the end of input.
  Status feed() {
    void* buf = XML_GetBuffer(parser_, static_cast<int>(kChunk));
    if (buf == nullptr) return Internal("expat: out of memory");
    Result<size_t> n = in_->read(static_cast<char*>(buf), kChunk);
    if (!n.ok()) return n.status();
    const bool last = n.value() == 0;
    if (last) finished_ = true;
    if (last && bytes_ == 0) return Status::Ok();  // empty input: no records
    bytes_ += n.value();
    silent_bytes_ += n.value();
    const XML_Status st = XML_ParseBuffer(parser_, static_cast<int>(n.value()), last ? XML_TRUE : XML_FALSE);
    if (!stop_reason_.empty()) return InvalidInput(stop_reason_);
    if (st == XML_STATUS_ERROR)
      return InvalidInput("XML not well-formed at line " + std::to_string(XML_GetCurrentLineNumber(parser_)) +
                          ", column " + std::to_string(XML_GetCurrentColumnNumber(parser_) + 1) + ": " +
                          XML_ErrorString(XML_GetErrorCode(parser_)));
    if (silent_bytes_ > kMaxSilentBytes)
      return stop_at_line("an XML token (tag, comment, ...) longer than " + std::to_string(kMaxSilentBytes) + " bytes");
    return Status::Ok();
  }

  Status stop_at_line(const std::string& what) {
    return InvalidInput("line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " + what);
  }

  void stop(std::string reason) {
    if (stop_reason_.empty())
      stop_reason_ = "line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " + std::move(reason);
    XML_StopParser(parser_, XML_FALSE);
  }

  static void XMLCALL on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<NcmecReader*>(self)->stop("DOCTYPE declarations are not accepted in ncmec-xml");
  }

  static void XMLCALL on_start(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<NcmecReader*>(self)->start(local_name(name), atts);
  }
  static void XMLCALL on_end(void* self, const XML_Char*) { static_cast<NcmecReader*>(self)->end(); }
  static void XMLCALL on_text(void* self, const XML_Char* s, int len) {
    static_cast<NcmecReader*>(self)->text(std::string_view(s, static_cast<size_t>(len)));
  }

  void start(std::string_view name, const XML_Char** atts) {
    silent_bytes_ = 0;
    if (stack_.size() >= kMaxDepth) return stop("elements nested deeper than " + std::to_string(kMaxDepth));
    const El parent = stack_.empty() ? El::kOther : stack_.back();
    El kind = El::kOther;
    if (parent == El::kSection && (iequals(name, "image") || iequals(name, "video") || iequals(name, "deletedImage") ||
                                   iequals(name, "deletedVideo"))) {
      kind = El::kEntry;
      begin_entry(name);
    } else if (parent == El::kEntry) {
      if (name == "member") {
        kind = El::kMember;
        const XML_Char* id = attr(atts, "id");
        if (!set_limited(&e_.member_id, id ? id : "")) e_.too_long_field = "member";
      } else if (name == "id") {
        kind = El::kId;
      } else if (name == "classification") {
        kind = El::kClassification;
      } else if (name == "timestamp") {
        kind = El::kTimestamp;
      } else if (name == "fingerprints") {
        kind = El::kFingerprints;
      } else if (name == "feedback") {
        kind = El::kFeedback;
      }
    } else if (parent == El::kFingerprints) {
      kind = El::kFingerprint;
      if (e_.nfps == e_.fps.size()) e_.fps.emplace_back();
      Fingerprint& fp = e_.fps[e_.nfps++];
      fp.too_long = !set_limited(&fp.name, name);
      fp.value.clear();
      fp.line = XML_GetCurrentLineNumber(parser_);
    } else if (parent == El::kFeedback && (name == "affirmativeFeedback" || name == "negativeFeedback")) {
      kind = name == "affirmativeFeedback" ? El::kAffirmative : El::kNegative;
      const XML_Char* type = attr(atts, "type");
      feedback_index_ = type ? fp_index(type) : -1;
    } else if ((parent == El::kAffirmative || parent == El::kReasons) && name == "members") {
      kind = El::kFbMembers;
    } else if (parent == El::kNegative && name == "reasons") {
      kind = El::kReasons;
    } else if (parent == El::kFbMembers && name == "member") {
      kind = El::kFbMember;
      if (feedback_index_ >= 0) {
        const bool up = stack_[stack_.size() - 2] == El::kAffirmative;
        int& votes = up ? e_.up[feedback_index_] : e_.down[feedback_index_];
        if (votes < INT32_MAX) ++votes;
      }
    } else if (parent != El::kEntry && (name == "images" || name == "videos") && !in_entry()) {
      kind = El::kSection;
    }
    if (is_text(kind)) {
      text_.clear();
      text_too_long_ = false;
    }
    stack_.push_back(kind);
  }

  bool in_entry() const {
    for (El e : stack_)
      if (e == El::kEntry) return true;
    return false;
  }

  static bool set_limited(std::string* out, std::string_view v) {
    if (v.size() > kMaxFieldBytes) return false;
    out->assign(v);
    return true;
  }

  void text(std::string_view s) {
    silent_bytes_ = 0;
    if (stack_.empty() || !is_text(stack_.back()) || text_too_long_) return;
    if (text_.size() + s.size() > kMaxFieldBytes) {
      text_too_long_ = true;
      return;
    }
    text_.append(s);
  }

  void end() {
    silent_bytes_ = 0;
    const El kind = stack_.back();
    stack_.pop_back();
    const std::string_view t = xml_trim(text_);
    std::string* target = nullptr;
    const char* field = "";
    switch (kind) {
      case El::kMember: target = &e_.member_name, field = "member"; break;
      case El::kId: target = &e_.id, field = "id"; break;
      case El::kClassification: target = &e_.classification, field = "classification"; break;
      case El::kTimestamp: target = &e_.timestamp, field = "timestamp"; break;
      case El::kFingerprint: {
        Fingerprint& fp = e_.fps[e_.nfps - 1];
        fp.too_long = fp.too_long || text_too_long_;
        fp.value.assign(t);
        return;
      }
      case El::kEntry: return end_entry();
      default: return;
    }
    if (text_too_long_ && e_.too_long_field.empty()) e_.too_long_field = field;
    target->assign(t);
  }

  void begin_entry(std::string_view name) {
    e_.deleted = iequals(name.substr(0, 7), "deleted");
    e_.video = iequals(name, "video") || iequals(name, "deletedVideo");
    e_.line = XML_GetCurrentLineNumber(parser_);
    for (std::string* s : {&e_.id, &e_.member_id, &e_.member_name, &e_.classification, &e_.timestamp}) s->clear();
    e_.nfps = 0;
    for (int i = 0; i < 3; ++i) e_.up[i] = e_.down[i] = 0;
    e_.too_long_field.clear();
  }

  Item& push() {
    if (count_ == items_.size()) items_.emplace_back();
    return items_[count_++];
  }
  void push_error(uint64_t line, std::string field, std::string reason) {
    Item& it = push();
    it.is_error = true;
    it.error.line = line;
    it.error.field = std::move(field);
    it.error.reason = std::move(reason);
  }

  void end_entry() {
    if (!e_.too_long_field.empty())
      return push_error(e_.line, e_.too_long_field, "longer than " + std::to_string(kMaxFieldBytes) + " bytes");
    if (e_.id.empty()) return push_error(e_.line, "id", "entry without an <id>");
    int64_t added_at = 0;
    if (!e_.timestamp.empty() && !parse_time(e_.timestamp, &added_at))
      return push_error(e_.line, "timestamp", "expected RFC 3339, got '" + e_.timestamp.substr(0, 40) + "'");
    meta_.clear();
    if (!e_.member_id.empty()) meta_.add("ncmec_member_id", e_.member_id);
    meta_.add("ncmec_type", e_.video ? "video" : "image");
    meta_.finish(&meta_json_, &reason_);
    const std::string& org = e_.member_name.empty() ? e_.member_id : e_.member_name;

    size_t emitted = 0, bad = 0;
    for (size_t i = 0; i < e_.nfps; ++i) {
      const Fingerprint& fp = e_.fps[i];
      const int k = fp_index(fp.name);
      if (k < 0 || (fp.value.empty() && !fp.too_long)) {
        ++skipped_;  // a type we do not hold, or a link without a value
        continue;
      }
      if (fp.too_long) {
        ++bad;
        push_error(fp.line, fp.name, "longer than " + std::to_string(kMaxFieldBytes) + " bytes");
        continue;
      }
      if (!normalize_hex(fp.value, kFpTypes[k], &hash_, &reason_)) {
        ++bad;
        push_error(fp.line, fp.name, reason_);
        continue;
      }
      ++emitted;
      add_record(fp.line, false, kFpTypes[k], hash_, org, added_at, e_.up[k], e_.down[k]);
    }
    if (e_.deleted && emitted == 0 && bad == 0)
      add_record(e_.line, true, store::SignalType::kPdq, "", org, added_at, 0, 0);
  }

  void add_record(uint64_t line, bool by_id, store::SignalType type, std::string_view value, const std::string& org,
                  int64_t added_at, int up, int down) {
    Item& it = push();
    it.is_error = false;
    Record& r = it.record;
    r.deletion = e_.deleted;
    r.by_external_id = by_id;
    r.line = line;
    reset_entry(&r.entry);
    r.entry.type = type;
    r.entry.value.assign(value);
    r.entry.external_id.assign(e_.id);
    r.entry.source_org.assign(org);
    r.entry.classification.assign(e_.classification);
    r.entry.added_at = added_at;
    r.entry.up_votes = up;
    r.entry.down_votes = down;
    r.entry.metadata_json.assign(meta_json_);
  }

  std::unique_ptr<Input> in_;
  XML_Parser parser_;
  std::vector<Item> items_;  // first count_ in use, next to hand out at head_
  size_t head_ = 0, count_ = 0;
  Status failure_;
  bool finished_ = false;
  uint64_t bytes_ = 0, skipped_ = 0, silent_bytes_ = 0;
  std::string stop_reason_;
  std::vector<El> stack_;
  EntryState e_;
  std::string text_;
  bool text_too_long_ = false;
  int feedback_index_ = -1;
  MetadataBuilder meta_;
  std::string meta_json_, reason_, hash_;
};

}  // namespace

std::unique_ptr<Reader> make_ncmec_reader(std::unique_ptr<Input> in) {
  return std::make_unique<NcmecReader>(std::move(in));
}

}  // namespace chainbreak::lists
