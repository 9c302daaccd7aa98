// Public reports (/v1/reports: anonymous, no token, nothing about the
// client stored) and the review console's case routes (/v1/cases,
// /v1/partners, /v1/reviewers/me/exposure). See docs/CASES.md.
#include <openssl/rand.h>

#include <cctype>
#include <map>

#include "pipeline/auth.h"
#include "server/api/api_internal.h"
#include "server/api/case_desk.h"
#include "server/api/content.h"
#include "signals/exact/digest.h"

namespace chainbreak::api {

namespace {

// Crockford base32: no I, L, O, U; read back case-insensitively with I/L as
// 1 and O as 0.
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A new receipt code: 80 random bits as XXXX-XXXX-XXXX-XXXX.
std::string new_receipt() {
  unsigned char b[10];
  if (RAND_bytes(b, sizeof b) != 1) return "";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : b) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      if (out.size() == 4 || out.size() == 9 || out.size() == 14) out += '-';
      out += kAlphabet[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// The canonical form of a receipt as typed (dashes, spaces and case
// ignored); "" when it cannot be one.
std::string canonical_receipt(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    if (std::string_view(kAlphabet).find(c) == std::string_view::npos) return "";
    out += c;
  }
  return out.size() == 16 ? out : "";
}

std::string receipt_hash(std::string_view canonical) {
  return pipeline::token_secret_hash(std::string("chainbreak-receipt-v1:") + std::string(canonical));
}

// The report's fields from a multipart form or a JSON object; false with a
// 400 set on res when a field is not text.
struct Form {
  std::map<std::string, std::string> fields;
  std::string_view file;
  std::string file_type, file_name;
};

bool read_form(const http::Request& req, http::Response& res, size_t max_upload, Form* f) {
  const std::string* ct = req.header("content-type");
  if (ct && ct->rfind("multipart/form-data", 0) == 0) {
    auto parts = http::parse_multipart(*ct, req.body);
    if (!parts.ok()) {
      http::json_error(res, 400, "invalid_body", parts.status().message(), "body");
      return false;
    }
    for (const auto& p : parts.value()) {
      if (p.name == "file") {
        if (p.data.empty()) continue;  // an empty file input
        if (p.data.size() > max_upload) {
          http::json_error(res, 413, "too_large", "the file is larger than the upload limit", "file");
          return false;
        }
        f->file = p.data;
        f->file_type = p.content_type;
        f->file_name = p.filename;
      } else {
        f->fields[p.name] = std::string(p.data);
      }
    }
    return true;
  }
  auto body = parse_body(req, res);
  if (!body) return false;
  for (auto it = body->begin(); it != body->end(); ++it) {
    if (it.value().is_boolean()) {
      f->fields[it.key()] = it.value().get<bool>() ? "true" : "false";
    } else if (it.value().is_string()) {
      f->fields[it.key()] = it.value().get<std::string>();
    } else if (!it.value().is_null()) {
      http::json_error(res, 400, "invalid_field", it.key() + " must be a string", it.key());
      return false;
    }
  }
  return true;
}

// Message of a store validation error without its "reports[0]." prefix, and
// the field it names.
std::pair<std::string, std::string> report_error(const std::string& m) {
  std::string msg = m.rfind("reports[0].", 0) == 0 ? m.substr(11) : m;
  std::string field = msg.substr(0, msg.find(':'));
  return {msg, field};
}

}  // namespace

void Api::Impl::add_case_routes() {
  route("POST", "/v1/reports", 0, [this](Ctx&, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    Form form;
    if (!read_form(req, res, options.max_upload_bytes, &form)) return;
    auto get = [&](const char* k) {
      auto it = form.fields.find(k);
      return it == form.fields.end() ? std::string() : it->second;
    };
    store::NewReport r;
    r.category = get("category");
    r.country = get("country");
    r.url = get("url");
    r.description = get("description");
    r.language = get("language");
    r.contact = get("contact");
    const std::string live = get("live_harm");
    if (!live.empty() && live != "true" && live != "false" && live != "on") {
      return http::json_error(res, 400, "invalid_field", "live_harm must be true or false", "live_harm");
    }
    r.live_harm = live == "true" || live == "on";
    if (!form.file.empty()) {
      const auto* bytes = reinterpret_cast<const uint8_t*>(form.file.data());
      exact::Digester md5(exact::DigestType::kMd5), sha(exact::DigestType::kSha256);
      md5.update({bytes, form.file.size()});
      sha.update({bytes, form.file.size()});
      r.file_md5 = md5.finish();
      r.file_sha256 = sha.finish();
      r.media_type = form.file_type.substr(0, 128);
      // Images get a PDQ hash too (for near-duplicates); other files keep
      // their exact hashes only.
      auto sigs = hash_content(form.file, options.pdq);
      if (sigs.ok()) {
        for (const auto& s : sigs.value()) {
          if (s.type == store::SignalType::kPdq) r.file_pdq = s.hex;
        }
        // A picture that matches a bank of known material raises the
        // case's priority by the match's classification (matched only:
        // nothing acts on a public report, and no decision is written).
        pipeline::ContentRequest probe;
        probe.signals = std::move(sigs.value());
        probe.act = false;
        if (auto matched = pipeline::process(engine, probe); matched.ok())
          r.severity = gravest_severity(matched.value());
      } else if (!form.file_type.starts_with("video/")) {
        // One image or video file (docs/CASES.md): anything else is refused
        // before it is kept anywhere.
        return http::json_error(res, 400, "invalid_field",
                                "file must be an image or a video: " + sigs.status().message(), "file");
      }
    }
    const std::string code = new_receipt();
    if (code.empty()) return http::json_error(res, 503, "unavailable", "no random numbers");
    r.receipt_hash = receipt_hash(canonical_receipt(code));
    if (Status s = store::validate_report(r); !s.ok()) {
      auto [msg, field] = report_error(s.message());
      return http::json_error(res, 400, "invalid_field", msg, field);
    }
    // Answer once the report is committed (group commit with the reports
    // submitted meanwhile).
    res.defer = [this, r = std::move(r), code, file = std::string(form.file), name = std::move(form.file_name),
                 &res](std::function<void()> resume) mutable {
      cases->submit(std::move(r), std::move(file), std::move(name),
                    [&res, code, resume = std::move(resume)](Result<store::IntakeResult> got) {
                      if (got.ok()) {
                        send_json(res, 201, {{"receipt", code}, {"case_status", "received"}});
                      } else if (got.status().code() == ErrorCode::kInvalidInput) {
                        auto [msg, field] = report_error(got.status().message());
                        http::json_error(res, 400, "invalid_field", msg, field);
                      } else {
                        http::json_error(res, 503, "unavailable", "the report could not be stored; please try again");
                      }
                      resume();
                    });
    };
  });

  route("GET", "/v1/reports/status", 0, [this](Ctx&, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    auto typed = req.query_param("receipt");
    if (!typed) return http::json_error(res, 400, "missing_parameter", "receipt is required", "receipt");
    const std::string canon = canonical_receipt(*typed);
    if (canon.empty()) return http::json_error(res, 404, "not_found", "no report has this receipt code", "receipt");
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    auto st = db.value()->report_status(receipt_hash(canon));
    if (!st.ok()) return send_status(res, st.status());
    if (!st.value()) return http::json_error(res, 404, "not_found", "no report has this receipt code", "receipt");
    send_json(res, 200,
              {{"status", st.value()->status},
               {"received_at", iso_utc(st.value()->received_us)},
               {"updated_at", iso_utc(st.value()->updated_us)}});
  });

  route("POST", "/v1/reports/withdraw-contact", 0, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    auto body = parse_body(req, res);
    if (!body) return;
    if (!body->contains("receipt") || !(*body)["receipt"].is_string()) {
      return http::json_error(res, 400, "invalid_field", "receipt must be a string", "receipt");
    }
    const std::string canon = canonical_receipt((*body)["receipt"].get<std::string>());
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    auto done = canon.empty() ? Result<bool>(false) : db.value()->withdraw_contact(receipt_hash(canon));
    if (!done.ok()) return send_status(res, done.status());
    if (!done.value()) return http::json_error(res, 404, "not_found", "no report has this receipt code", "receipt");
    // The audit entry records that a withdrawal happened, never the data.
    if (!audit(ctx, res, "report.withdraw_contact", "report:receipt")) return;
    send_json(res, 200, {{"withdrawn", true}});
  });

  add_console_routes();
}

}  // namespace chainbreak::api
