#include "reports/cybertip_client.h"

#include <openssl/evp.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <memory>

#include "reports/multipart.h"
#include "server/http/http.h"
#include "util/file.h"

namespace chainbreak::reports::cybertip {
namespace {

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Client::Client(ClientOptions options) : options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  authorization_ = "Basic " + base64(options_.user + ":" + options_.password);
}

Result<Response> Client::call(const char* step, const std::string& method, const std::string& path,
                              const std::string& body, const std::string& content_type) {
  last_error_ = {};
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", authorization_},
                                                              {"Accept", "application/xml, text/xml"}};
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  auto res = http::http_request(method, options_.base_url + path, body, headers, options_.timeout);
  if (!res.ok()) return Status(res.status().code(), std::string(step) + ": " + res.status().message());
  const http::ClientResponse& r = res.value();
  last_error_.http_status = r.status;
  auto parsed = parse_response(r.body);
  if (!parsed.ok()) {
    if (r.status != 200)
      return IoError(std::string(step) + ": HTTP " + std::to_string(r.status) +
                     (r.status == 401 ? " (authentication failed: check the user and password)" : ""));
    return IoError(std::string(step) + ": unreadable response: " + parsed.status().message());
  }
  Response& resp = parsed.value();
  if (resp.response_code != 0) {
    last_error_.response_code = resp.response_code;
    last_error_.description = resp.response_description;
    std::string msg = std::string(step) + ": CyberTipline responseCode " + std::to_string(resp.response_code) + ": " +
                      resp.response_description;
    if (resp.response_code >= 4000 && resp.response_code < 5000) return InvalidInput(std::move(msg));
    return IoError(std::move(msg));
  }
  if (r.status != 200) return IoError(std::string(step) + ": HTTP " + std::to_string(r.status));
  return std::move(resp);
}

Result<Response> Client::post_id(const char* step, const std::string& path, const std::string& report_id) {
  MultipartBuilder mp;
  if (Status s = mp.add_field("id", report_id); !s.ok()) return s;
  auto body = mp.finish();
  if (!body.ok()) return body.status();
  return call(step, "POST", path, body.value(), mp.content_type());
}

Result<std::string> Client::status() {
  auto r = call("status", "GET", "/status", "", "");
  if (!r.ok()) return r.status();
  return r.value().response_description;
}

Result<std::string> Client::submit(const Report& report) {
  if (Status s = validate(report); !s.ok()) return s;
  auto xml = report_xml(report);
  if (!xml.ok()) return Status(xml.status().code(), "report: " + xml.status().message());
  auto r = call("submit", "POST", "/submit", xml.value(), "text/xml; charset=utf-8");
  if (!r.ok()) return r.status();
  if (r.value().report_id.empty()) return IoError("submit: the response carries no reportId");
  return r.value().report_id;
}

Result<UploadResult> Client::upload(const std::string& report_id, const std::string& file_name, std::string_view data) {
  MultipartBuilder mp;
  if (Status s = mp.add_field("id", report_id); !s.ok()) return s;
  if (Status s = mp.add_file("file", file_name, "application/octet-stream", data); !s.ok()) return s;
  auto body = mp.finish();
  if (!body.ok()) return body.status();
  auto r = call("upload", "POST", "/upload", body.value(), mp.content_type());
  if (!r.ok()) return r.status();
  if (r.value().file_id.empty()) return IoError("upload: the response carries no fileId");
  return UploadResult{r.value().file_id, lower(r.value().hash)};
}

Status Client::file_info(const FileDetails& details) {
  if (Status s = validate_file(details, 1, true); !s.ok()) return s;
  auto xml = file_details_xml(details);
  if (!xml.ok()) return xml.status();
  return call("fileinfo", "POST", "/fileinfo", xml.value(), "text/xml; charset=utf-8").status();
}

Result<std::vector<std::string>> Client::finish(const std::string& report_id) {
  auto r = post_id("finish", "/finish", report_id);
  if (!r.ok()) return r.status();
  return std::move(r.value().file_ids);
}

Status Client::retract(const std::string& report_id) { return post_id("retract", "/retract", report_id).status(); }

namespace {

// One file of the sequence: its label in messages ("file 2 (x.png): "), the
// uploaded name, its details, and its bytes (loaded just before upload; the
// view stays valid until the next load).
struct SequenceFile {
  std::string label, name;
  const FileDetails* details = nullptr;
  std::function<Result<std::string_view>()> load;
};

// submit, per file upload (MD5 checked) + fileinfo, finish; retracts the
// report when a step after submit fails. Everything was validated before.
Result<SubmitOutcome> run_sequence(Client& client, const Report& report, std::vector<SequenceFile>& files) {
  auto report_id = client.submit(report);
  if (!report_id.ok()) return report_id.status();
  SubmitOutcome out;
  out.report_id = report_id.value();

  auto give_up = [&](const Status& why) -> Status {
    Status r = client.retract(out.report_id);
    const std::string tail = r.ok() ? "; report " + out.report_id + " retracted"
                                    : "; retracting report " + out.report_id + " also failed: " + r.message();
    return Status(why.code(), why.message() + tail);
  };

  for (SequenceFile& f : files) {
    const std::string which = f.label + ": ";
    auto data = f.load();
    if (!data.ok()) return give_up(Status(data.status().code(), which + data.status().message()));
    auto up = client.upload(out.report_id, f.name, data.value());
    if (!up.ok()) return give_up(Status(up.status().code(), which + up.status().message()));
    const std::string local = md5_hex(data.value());
    if (!up.value().hash.empty() && up.value().hash != local)
      return give_up(IoError(which + "the service's MD5 " + up.value().hash + " differs from the local " + local));
    FileDetails details = *f.details;
    details.report_id = out.report_id;
    details.file_id = up.value().file_id;
    if (details.file_name.empty()) details.file_name = f.name;
    if (Status s = client.file_info(details); !s.ok()) return give_up(Status(s.code(), which + s.message()));
    out.files.push_back(std::move(up).value());
  }
  auto done = client.finish(out.report_id);
  if (!done.ok()) return give_up(done.status());
  return out;
}

}  // namespace

Result<SubmitOutcome> submit_report(Client& client, const Report& report, std::span<const FileToSend> files) {
  if (Status s = validate(report); !s.ok()) return s;
  for (size_t i = 0; i < files.size(); ++i) {
    if (Status s = validate_file(files[i].details, i + 1, false); !s.ok()) return s;
    std::error_code ec;
    const bool regular = std::filesystem::is_regular_file(files[i].path, ec);
    if (!regular) return IoError("file " + std::to_string(i + 1) + ": " + files[i].path + " is not a readable file");
  }
  std::vector<uint8_t> buffer;  // one file in memory at a time
  std::vector<SequenceFile> seq;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileToSend& f = files[i];
    seq.push_back({"file " + std::to_string(i + 1) + " (" + f.path + ")",
                   std::filesystem::path(f.path).filename().string(), &f.details,
                   [&buffer, &f]() -> Result<std::string_view> {
                     if (Status s = read_file(f.path, kMaxUploadBytes, buffer); !s.ok()) return s;
                     return std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size());
                   }});
  }
  return run_sequence(client, report, seq);
}

Result<SubmitOutcome> submit_sources(Client& client, const Report& report, std::span<const FileSource> files) {
  if (Status s = validate(report); !s.ok()) return s;
  for (size_t i = 0; i < files.size(); ++i) {
    if (Status s = validate_file(files[i].details, i + 1, false); !s.ok()) return s;
    if (files[i].name.empty() || files[i].name.size() > 255 || !files[i].read)
      return InvalidInput("file " + std::to_string(i + 1) + ": needs a name of 1 to 255 bytes and a reader");
  }
  std::string bytes;  // one file in memory at a time
  std::vector<SequenceFile> seq;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileSource& f = files[i];
    seq.push_back({"file " + std::to_string(i + 1) + " (" + f.name + ")", f.name, &f.details,
                   [&bytes, &f]() -> Result<std::string_view> {
                     std::string().swap(bytes);  // the previous file's bytes go before the next is read
                     auto got = f.read();
                     if (!got.ok()) return got.status();
                     bytes = std::move(got).value();
                     if (bytes.size() > kMaxUploadBytes) return LimitExceeded("larger than the upload limit");
                     return std::string_view(bytes);
                   }});
  }
  auto out = run_sequence(client, report, seq);
  std::string().swap(bytes);
  return out;
}

}  // namespace chainbreak::reports::cybertip
