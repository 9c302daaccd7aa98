#include "server/api/content.h"

#include <algorithm>

#include "signals/exact/digest.h"

namespace chainbreak::api {

std::optional<std::string_view> upload_bytes(const http::Request& req, http::Response& res, size_t max_bytes) {
  std::string_view data = req.body;
  const std::string* ct = req.header("content-type");
  if (ct != nullptr && ct->rfind("multipart/form-data", 0) == 0) {
    auto parts = http::parse_multipart(*ct, req.body);
    if (!parts.ok()) {
      http::json_error(res, 400, "bad_multipart", parts.status().message(), "body");
      return std::nullopt;
    }
    const http::Part* pick = nullptr;
    for (const auto& p : parts.value()) {
      bool named = p.name == "photo" || p.name == "content" || p.name == "file" || p.name == "image";
      if (named || (!p.filename.empty() && pick == nullptr)) pick = &p;
      if (named) break;
    }
    if (pick == nullptr) {
      http::json_error(res, 400, "missing_field", "no file part (photo, content, file or image) in the form", "photo");
      return std::nullopt;
    }
    data = pick->data;
  }
  if (data.empty()) {
    http::json_error(res, 400, "empty_content", "the upload is empty", "content");
    return std::nullopt;
  }
  if (data.size() > max_bytes) {
    http::json_error(res, 413, "too_large", "the upload is over " + std::to_string(max_bytes) + " bytes", "content");
    return std::nullopt;
  }
  return data;
}

Result<std::vector<pipeline::Signal>> hash_content(std::string_view bytes, const signals::PdqOptions& options) {
  thread_local signals::PdqFileHasher hasher(options);
  std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto pdq = hasher.hash_bytes(raw);
  if (!pdq.ok()) return pdq.status();
  std::vector<pipeline::Signal> out;
  pipeline::Signal p;
  p.type = store::SignalType::kPdq;
  p.hex = pdq.value().hash.hex();
  p.quality = pdq.value().quality;
  out.push_back(std::move(p));
  const std::pair<exact::DigestType, store::SignalType> kinds[] = {
      {exact::DigestType::kMd5, store::SignalType::kMd5},
      {exact::DigestType::kSha1, store::SignalType::kSha1},
      {exact::DigestType::kSha256, store::SignalType::kSha256}};
  for (const auto& [dt, st] : kinds) {
    exact::Digester d(dt);
    d.update(raw);
    pipeline::Signal s;
    s.type = st;
    s.hex = d.finish();
    out.push_back(std::move(s));
  }
  return out;
}

int gravest_severity(const pipeline::ContentResult& r) {
  int worst = 0;
  for (const auto& per : r.matches) {
    for (const banks::Match& m : per) {
      if (m.allowlist || m.suppressed || m.quarantined) continue;
      worst = std::max(worst, store::classification_severity(m.entry.classification));
    }
  }
  return worst;
}

store::NewReport detection_report(const pipeline::ContentResult& r, int64_t decision_id) {
  store::NewReport n;
  const std::string seed = "chainbreak-decision-v1:" + std::to_string(decision_id);
  exact::Digester sha(exact::DigestType::kSha256);
  sha.update({reinterpret_cast<const uint8_t*>(seed.data()), seed.size()});
  n.receipt_hash = sha.finish();
  n.category = "csam";
  n.description = "Automated detection: decision " + std::to_string(decision_id);
  n.severity = gravest_severity(r);
  n.decision_id = decision_id;
  for (const pipeline::Signal& s : r.signals) {
    if (s.type == store::SignalType::kMd5) n.file_md5 = s.hex;
    if (s.type == store::SignalType::kSha256) n.file_sha256 = s.hex;
    if (s.type == store::SignalType::kPdq) n.file_pdq = s.hex;
  }
  // A decision on signals alone still needs something to stand on.
  if (n.file_sha256.empty() && n.file_md5.empty() && n.file_pdq.empty()) n.description += " (signals only)";
  return n;
}

}  // namespace chainbreak::api
