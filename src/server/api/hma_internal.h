// Shared by the HMA 2.0 compatible routes (hma_routes.cc: status, /h, /m;
// hma_curation.cc: /c): HMA's signal types, error bodies, validation rules
// and form handling, as HMA defines them (see docs/HMA.md).
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "banks/hex.h"
#include "pipeline/pipeline.h"
#include "server/api/api_internal.h"
#include "server/api/content.h"
#include "signals/exact/digest.h"

namespace chainbreak::api::hma {

using store::SignalType;

inline constexpr int kMinPdqQuality = 50;  // HMA's PdqSignal.QUALITY_THRESHOLD
inline constexpr const char* kNoUrl =
    "chainbreak does not fetch URLs (url is not supported): POST the content as multipart/form-data with a "
    "field named by its content type (photo or video)";

// HMA's signal type names; video_md5 is chainbreak's md5 of the file bytes.
struct HmaType {
  const char* name;
  SignalType type;
  bool photo;  // hashed from photo uploads
};
inline constexpr HmaType kTypes[] = {{"pdq", SignalType::kPdq, true},
                                     {"video_md5", SignalType::kMd5, false},
                                     {"md5", SignalType::kMd5, true},
                                     {"sha1", SignalType::kSha1, true},
                                     {"sha256", SignalType::kSha256, true}};

inline const HmaType* find_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

inline void message(http::Response& res, int status, std::string_view m) { send_json(res, status, {{"message", m}}); }

// flask-openapi3's answer to a request that fails its pydantic model: 422
// with the list of errors.
inline void invalid(http::Response& res, std::string_view loc, std::string_view type, std::string_view msg) {
  send_json(res, 422, Json::array({{{"type", type}, {"loc", Json::array({loc})}, {"msg", msg}}}));
}

// Pydantic's lax boolean.
inline std::optional<bool> lax_bool(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* t : {"1", "on", "t", "true", "y", "yes"}) {
    if (s == t) return true;
  }
  for (const char* f : {"0", "off", "f", "false", "n", "no"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

inline bool query_bool(const http::Request& req, http::Response& res, std::string_view key, bool* out) {
  auto v = req.query_param(key);
  if (!v) return true;
  auto b = lax_bool(*v);
  if (!b) {
    invalid(res, key, "bool_parsing", "Input should be a valid boolean, unable to interpret input");
    return false;
  }
  *out = *b;
  return true;
}

// Validates a signal value as HMA's signal type does; the normalised hex,
// or nullopt with the reason in *err.
inline std::optional<std::string> validate_signal(const HmaType& t, const Json& value, std::string* err) {
  if (!value.is_string()) {
    *err = "expected string or bytes-like object";
    return std::nullopt;
  }
  std::string v = value.get<std::string>();
  if (t.type == SignalType::kPdq) {  // ^[0-9a-f]{64}$, lower case only
    bool ok = v.size() == 64 &&
              std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
    if (!ok) *err = "invalid PDQ hash";
    return ok ? std::optional<std::string>(v) : std::nullopt;
  }
  std::string raw = v;
  if (t.type == SignalType::kMd5) {  // strip().lower(), as VideoMD5Signal
    size_t b = v.find_first_not_of(" \t\r\n\f\v"), e = v.find_last_not_of(" \t\r\n\f\v");
    v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
  }
  auto sig = pipeline::parse_signal(store::signal_type_name(t.type), v);
  if (!sig.ok()) {
    *err = "'" + raw + "' is not a valid " + (t.type == SignalType::kMd5 ? "MD5" : t.name) + " hash";
    return std::nullopt;
  }
  return sig.value().hex;
}

inline double ratio(const store::Bank& b) { return b.enabled && b.disabled_until <= pipeline::now_s() ? 1.0 : 0.0; }
inline Json bank_json(const store::Bank& b) { return {{"matching_enabled_ratio", ratio(b)}, {"name", b.name}}; }

// HMA's bank name rule: [A-Z_][A-Z0-9_]* (storage/postgres/database.py).
inline bool bank_name_ok(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

// What an entry carries for HMA, in its metadata_json.
struct HmaExtra {
  std::string type_name;  // HMA signal type name
  Json metadata;          // user metadata object or null
  Json note;              // string or null
};
inline HmaExtra extra_of(const store::Entry& e) {
  HmaExtra x{store::signal_type_name(e.type), nullptr, nullptr};
  Json j = e.metadata_json.empty() ? Json::object() : Json::parse(e.metadata_json, nullptr, false);
  if (!j.is_object()) return x;
  if (j.contains("hma_signal_type") && j["hma_signal_type"].is_string()) x.type_name = j["hma_signal_type"];
  if (j.contains("hma_metadata") && j["hma_metadata"].is_object()) x.metadata = j["hma_metadata"];
  if (j.contains("hma_note") && j["hma_note"].is_string()) x.note = j["hma_note"];
  return x;
}

inline size_t utf8_chars(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// HMA's _validate_note: falsy -> null; else a string of at most 255 chars.
inline bool check_note(const Json& note, http::Response& res, Json* out) {
  *out = nullptr;
  bool falsy = note.is_null() || (note.is_boolean() && !note.get<bool>()) ||
               (note.is_number() && note.get<double>() == 0) || (note.is_string() && note.get<std::string>().empty()) ||
               ((note.is_array() || note.is_object()) && note.empty());
  if (falsy) return true;  // Python's `if not note`
  if (!note.is_string()) return message(res, 400, "note should be a string"), false;
  if (utf8_chars(note.get<std::string>()) > 255) return message(res, 400, "note must be at most 255 characters"), false;
  *out = note;
  return true;
}

// HMA's BankedContentMetadata (extra fields forbidden; collab dropped).
inline bool check_metadata(Json md, http::Response& res, Json* out) {
  *out = nullptr;
  if (md.is_null()) return true;
  if (!md.is_object()) return message(res, 400, "metadata should be a json object"), false;
  md.erase("collab");
  for (auto it = md.begin(); it != md.end(); ++it) {
    const std::string& k = it.key();
    bool ok = (k == "content_id" || k == "content_uri") ? (it->is_string() || it->is_null())
              : k == "json"                             ? (it->is_object() || it->is_null())
                                                        : false;
    if (!ok) {
      std::string why = (k == "content_id" || k == "content_uri") ? "Input should be a valid string"
                        : k == "json"                             ? "Input should be a valid dictionary"
                                                                  : "Extra inputs are not permitted";
      return message(res, 400, "Invalid metadata: 1 validation error for BankedContentMetadata\n" + k + "\n  " + why),
             false;
    }
  }
  if (!md.empty()) *out = md;
  return true;
}

inline int64_t parse_id(std::string_view s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  return std::stoll(std::string(s));
}

// One uploaded file of a multipart form (HMA's hash_media_from_form_data)
// plus its plain fields.
struct Form {
  std::string content_type;  // the file's field name: photo or video
  std::string_view bytes;
  std::map<std::string, std::string, std::less<>> fields;
  bool has_file = false;
};

inline bool read_form(const http::Request& req, http::Response& res, size_t max_bytes, Form* f) {
  const std::string* ct = req.header("content-type");
  if (ct == nullptr || ct->rfind("multipart/form-data", 0) != 0) return true;
  auto parts = http::parse_multipart(*ct, req.body);
  if (!parts.ok()) return message(res, 400, "bad multipart/form-data body: " + parts.status().message()), false;
  for (const auto& p : parts.value()) {
    bool file = !p.filename.empty() || p.name == "photo" || p.name == "video";
    if (!file) {
      f->fields.emplace(p.name, std::string(p.data));
      continue;
    }
    if (f->has_file) return message(res, 400, "Only one file allowed per request"), false;
    f->has_file = true;
    f->content_type = p.name;
    f->bytes = p.data;
  }
  if (f->bytes.size() > max_bytes) return message(res, 413, "Content too large"), false;
  return true;
}

using Signals = std::vector<std::pair<const HmaType*, std::string>>;  // in HMA type order

// Hashes the form's file into the signal types of its content type (or the
// ?types= selection). all_photo: every photo type by default, not just pdq.
inline std::optional<Signals> hash_form(const http::Request& req, http::Response& res, const Form& f,
                                        const signals::PdqOptions& pdq, bool all_photo) {
  if (!f.has_file) return message(res, 400, "Missing multipart/form-data file upload"), std::nullopt;
  bool photo = f.content_type == "photo";
  if (!photo && f.content_type != "video") {
    return message(res, 400, "no such content_type: '" + f.content_type + "'"), std::nullopt;
  }
  std::vector<const HmaType*> want;
  if (auto types = req.query_param("types")) {
    for (std::string name : split_list(*types)) {
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (name.empty()) continue;
      const HmaType* t = find_type(name);
      if (t == nullptr || t->photo != photo) {
        return message(res, 400, "signal type '" + name + "' doesn't exist or is disabled"), std::nullopt;
      }
      if (std::find(want.begin(), want.end(), t) == want.end()) want.push_back(t);
    }
    if (want.empty()) return message(res, 400, "empty signal type selection"), std::nullopt;
  } else {
    for (const auto& t : kTypes) {
      if (t.photo == photo && (!photo || all_photo || t.type == SignalType::kPdq)) want.push_back(&t);
    }
  }
  Signals out;
  if (!photo) {  // video_md5: the md5 of the bytes
    exact::Digester d(exact::DigestType::kMd5);
    d.update({reinterpret_cast<const uint8_t*>(f.bytes.data()), f.bytes.size()});
    out.emplace_back(want[0], d.finish());
    return out;
  }
  auto sigs = hash_content(f.bytes, pdq);
  if (!sigs.ok()) return message(res, 400, "cannot hash the photo: " + sigs.status().message()), std::nullopt;
  for (const auto& t : kTypes) {
    if (std::find(want.begin(), want.end(), &t) == want.end()) continue;
    for (const auto& s : sigs.value()) {
      if (s.type != t.type) continue;
      // HMA's PdqSignal.hash_from_bytes returns "" below quality 50.
      out.emplace_back(&t, s.type == SignalType::kPdq && s.quality < kMinPdqQuality ? "" : s.hex);
    }
  }
  return out;
}

// The index's matches of a validated signal in every bank.
inline Result<std::vector<banks::Match>> match(pipeline::Engine& engine, const HmaType& t, const std::string& hex) {
  if (t.type == SignalType::kPdq) {
    auto h = pdq::Hash256::from_hex(hex);
    if (!h.ok()) return h.status();
    return engine.match_pdq(h.value(), {}, std::nullopt);
  }
  return engine.match_exact(t.type, banks::hex_bytes(hex), {});
}

inline std::string distance(const HmaType& t, const banks::Match& m) {
  return t.type == SignalType::kPdq ? std::to_string(m.distance) : "-";  // HMA: exact indexes have no distance
}

// Banks named by ?banks= (HMA: set(banks.split(","))), nullopt for all.
inline std::optional<std::vector<std::string>> bank_filter(const http::Request& req) {
  auto b = req.query_param("banks");
  if (!b || b->empty()) return std::nullopt;
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t c = b->find(',', start);
    out.emplace_back(b->substr(start, c == std::string_view::npos ? std::string_view::npos : c - start));
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  return out;
}

inline bool wanted(const std::optional<std::vector<std::string>>& f, const std::string& bank) {
  return !f || std::find(f->begin(), f->end(), bank) != f->end();
}

// HMA's lookup(): {bank: [{bank_content_id, distance}]} of the matches a
// client should act on (no allowlist, suppressed or quarantined matches).
inline Json by_bank(const HmaType& t, const std::vector<banks::Match>& ms,
                    const std::optional<std::vector<std::string>>& f) {
  Json out = Json::object();
  for (const auto& m : ms) {
    if (m.allowlist || m.suppressed || m.quarantined || !wanted(f, m.bank)) continue;
    out[m.bank].push_back({{"bank_content_id", m.entry_id}, {"distance", distance(t, m)}});
  }
  return out;
}

inline void unavailable(http::Response& res, const Status& st) { message(res, 503, st.message()); }
inline void store_error(http::Response& res, const Status& st) {
  bool bad = st.code() == ErrorCode::kInvalidInput || st.code() == ErrorCode::kUnsupported;
  message(res, bad ? 400 : 503, st.message());
}

// enabled_ratio, else enabled, of a bank create/update body (HMA applies
// enabled, then enabled_ratio over it); false with a 422 set.
inline bool read_ratio(const Json& body, http::Response& res, std::optional<double>* out) {
  if (body.contains("enabled_ratio") && !body["enabled_ratio"].is_null()) {
    if (!body["enabled_ratio"].is_number()) {
      return invalid(res, "enabled_ratio", "float_type", "Input should be a valid number"), false;
    }
    *out = body["enabled_ratio"].get<double>();
  } else if (body.contains("enabled") && !body["enabled"].is_null()) {
    const Json& e = body["enabled"];
    std::optional<bool> b;
    if (e.is_boolean()) b = e.get<bool>();
    if (e.is_string()) b = lax_bool(e.get<std::string>());
    if (e.is_number_integer() && (e == 0 || e == 1)) b = e == 1;
    if (!b) return invalid(res, "enabled", "bool_type", "Input should be a valid boolean"), false;
    *out = *b ? 1.0 : 0.0;
  }
  return true;
}

// HMA's str_to_type(v, int) for disable_until_ts.
inline std::optional<int64_t> lax_int(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::abs(v.get<double>()) < 9e18) return static_cast<int64_t>(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  bool neg = !s.empty() && s[0] == '-';
  int64_t id = parse_id(neg ? std::string_view(s).substr(1) : std::string_view(s));
  if (id < 0) return std::nullopt;
  return neg ? -id : id;
}

inline std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace chainbreak::api::hma
