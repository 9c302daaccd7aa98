// ncmec-xml writer: one <image>/<video> (or <deletedImage>/<deletedVideo>)
// per external id, consecutive entries with the same id, member and
// classification merged into one element with several fingerprints. The
// two sections are spooled to temporary files because their start tags
// carry count and maxTimestamp.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "lists/fields.h"
#include "lists/formats.h"
#include "lists/output.h"

namespace chainbreak::lists {
namespace {

// Validates UTF-8 and the characters XML 1.0 can carry; false with *reason.
bool xml_safe(std::string_view s, const char* field, std::string* reason) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      *reason = std::string(field) + ": control character XML cannot carry";
      return false;
    }
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size() && !(len == 2 && c < 0xC2);
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {  // no overlongs, no surrogates, not U+FFFE/U+FFFF (not XML characters)
      const unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0) && !(c == 0xEF && c1 == 0xBF && c2 >= 0xBE);
    }
    if (ok && len == 4) {
      const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90) && c <= 0xF4;
    }
    if (!ok) {
      *reason = std::string(field) + ": not valid UTF-8";
      return false;
    }
    i += len;
  }
  return true;
}

void append_xml_text(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\r': *out += "&#13;"; break;
      case '\t': *out += "&#9;"; break;
      case '\n': *out += "&#10;"; break;
      default: out->push_back(c);
    }
  }
}

struct Pending {
  bool active = false, deleted = false, video = false;
  std::string id, member_id, member_name, classification;
  int64_t added_at = 0;
  std::vector<std::pair<store::SignalType, std::string>> fps;
};

class NcmecWriter final : public Writer {
 public:
  NcmecWriter(std::FILE* out, std::FILE* images, std::FILE* videos)
      : out_(out), sections_{Section{Output(images)}, Section{Output(videos)}} {}
  ~NcmecWriter() override {
    for (Section& s : sections_) std::fclose(s.out.file());
  }

  Status write(const store::Entry& e) override { return add(false, false, e); }
  Status write_record(const Record& r) override { return add(r.deletion, r.deletion && r.by_external_id, r.entry); }

  Status finish() override {
    if (Status s = flush_pending(); !s.ok()) return s;
    std::string& t = out_.text();
    t += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    t += "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n";
    for (int v = 0; v < 2; ++v) {
      Section& s = sections_[v];
      const char* name = v ? "videos" : "images";
      t += "  <";
      t += name;
      t += " count=\"" + std::to_string(s.count) + "\"";
      if (s.count == 0) {
        t += "/>\n";
        continue;
      }
      t += " maxTimestamp=\"";
      append_time(s.max_time, &t);
      t += "\">\n";
      if (Status st = s.out.flush(); !st.ok()) return st;
      if (Status st = out_.flush(); !st.ok()) return st;
      if (Status st = copy_stream(s.out.file(), out_.file()); !st.ok()) return st;
      t += "  </";
      t += name;
      t += ">\n";
    }
    t += "</queryResult>\n";
    return out_.flush();
  }

 private:
  struct Section {
    Output out;
    uint64_t count = 0;
    int64_t max_time = 0;
  };

  Status add(bool deletion, bool by_id, const store::Entry& e) {
    std::string reason;
    if (!by_id) {
      if (e.type == store::SignalType::kSha256) return Unsupported("ncmec-xml has no sha256 fingerprints");
      if (!normalize_hex(e.value, e.type, &hex_, &reason)) return InvalidInput("value: " + reason);
    }
    std::string id = e.external_id.empty() && e.id != 0 ? std::to_string(e.id) : e.external_id;
    if (id.empty()) return InvalidInput("an ncmec-xml entry needs an external id (or a store id)");
    std::string member_id;
    bool video = false;
    if (!e.metadata_json.empty()) {
      const nlohmann::json j = nlohmann::json::parse(e.metadata_json, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return InvalidInput("metadata_json: not a JSON object");
      if (auto it = j.find("ncmec_member_id"); it != j.end() && it->is_string()) member_id = it->get<std::string>();
      if (auto it = j.find("ncmec_type"); it != j.end() && it->is_string()) video = *it == "video";
    }
    if (!xml_safe(id, "external_id", &reason) || !xml_safe(e.source_org, "source_org", &reason) ||
        !xml_safe(e.classification, "classification", &reason) || !xml_safe(member_id, "ncmec_member_id", &reason))
      return InvalidInput(reason);

    const bool same = p_.active && p_.deleted == deletion && p_.video == video && p_.id == id &&
                      p_.member_id == member_id && p_.member_name == e.source_org &&
                      p_.classification == e.classification && p_.added_at == e.added_at && !by_id && !p_.fps.empty() &&
                      std::none_of(p_.fps.begin(), p_.fps.end(), [&](const auto& f) { return f.first == e.type; });
    if (!same) {
      if (Status s = flush_pending(); !s.ok()) return s;
      p_.active = true;
      p_.deleted = deletion;
      p_.video = video;
      p_.id = std::move(id);
      p_.member_id = std::move(member_id);
      p_.member_name = e.source_org;
      p_.classification = e.classification;
      p_.added_at = e.added_at;
      p_.fps.clear();
    }
    if (!by_id) p_.fps.emplace_back(e.type, hex_);
    return Status::Ok();
  }

  Status flush_pending() {
    if (!p_.active) return Status::Ok();
    p_.active = false;
    Section& s = sections_[p_.video ? 1 : 0];
    ++s.count;
    s.max_time = std::max(s.max_time, p_.added_at);
    std::string& t = s.out.text();
    const char* tag = p_.deleted ? (p_.video ? "deletedVideo" : "deletedImage") : (p_.video ? "video" : "image");
    t += "    <";
    t += tag;
    t += ">\n      <member";
    if (!p_.member_id.empty()) {
      t += " id=\"";
      append_xml_text(p_.member_id, &t);
      t += '"';
    }
    t += '>';
    append_xml_text(p_.member_name, &t);
    t += "</member>\n";
    if (p_.added_at != 0) {
      t += "      <timestamp>";
      append_time(p_.added_at, &t);
      t += "</timestamp>\n";
    }
    t += "      <id>";
    append_xml_text(p_.id, &t);
    t += "</id>\n";
    if (!p_.classification.empty()) {
      t += "      <classification>";
      append_xml_text(p_.classification, &t);
      t += "</classification>\n";
    }
    if (!p_.fps.empty()) {
      t += "      <fingerprints>\n";
      for (const auto& [type, value] : p_.fps) {
        t += "        <";
        t += type_name(type);
        t += '>';
        t += value;
        t += "</";
        t += type_name(type);
        t += ">\n";
      }
      t += "      </fingerprints>\n";
    }
    t += "    </";
    t += tag;
    t += ">\n";
    return s.out.maybe_flush();
  }

  Output out_;
  Section sections_[2];
  Pending p_;
  std::string hex_;
};

}  // namespace

Result<std::unique_ptr<Writer>> make_ncmec_writer(std::FILE* out) {
  std::FILE* images = std::tmpfile();
  std::FILE* videos = images ? std::tmpfile() : nullptr;
  if (videos == nullptr) {
    const int err = errno;
    if (images) std::fclose(images);
    return IoError(std::string("temporary file: ") + std::strerror(err));
  }
  return std::unique_ptr<Writer>(new NcmecWriter(out, images, videos));
}

}  // namespace chainbreak::lists
