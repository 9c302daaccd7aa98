// chainbreak-fake-cybertip: a local stand-in for the NCMEC CyberTipline
// Reporting API, for tests and demonstrations. NOT the real service and
// not a complete model of it: it follows the documented protocol
// (docs/FORMATS.md, "CyberTipline reports") closely enough to exercise a
// client end to end, and holds everything in memory.
//
//   chainbreak-fake-cybertip --port N --user U --password P
//                            [--host 127.0.0.1] [--max-file-bytes B]
//
// Prints "listening on HOST:PORT" on standard output once accepting (port 0
// picks a free one), then serves until SIGINT or SIGTERM.
//
// Protocol: HTTP Basic authentication on every route (401 otherwise);
// GET /status; POST /submit (report XML) issues a reportId; POST /upload
// (multipart id + file) only to an open report, answers fileId and MD5
// (file over --max-file-bytes: responseCode 1111); POST /fileinfo
// (fileDetails XML) only for a fileId of that open report; POST /finish
// closes a report; POST /retract cancels an open one; finished or
// retracted reports cannot change (5102 / 5101). Malformed XML answers
// 4110, a missing or misplaced required element or a bad value 4100,
// always with HTTP 200 and a <reportResponse> naming the problem.
//
// TEST-ONLY route, not part of the real API: GET /_fake/report/{id}
// returns what the fake holds for a report as JSON.
#include <openssl/evp.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "reports/cybertip.h"
#include "reports/xml_tree.h"
#include "server/http/http.h"

namespace {

using namespace chainbreak;
namespace ct = chainbreak::reports::cybertip;
using reports::XmlElement;

struct FileState {
  std::string file_id, file_name, md5, details_xml;
  size_t size = 0;
};
struct ReportState {
  std::string state = "open";  // open, finished, retracted
  std::string report_xml;
  std::vector<FileState> files;
};

// The documented child order of <report> and <fileDetails> (an XSD
// sequence): each element's rank; unknown children are refused.
const std::vector<std::string> kReportOrder = {"incidentSummary", "internetDetails",      "lawEnforcement",
                                               "reporter",        "personOrUserReported", "intendedRecipient",
                                               "victim",          "additionalInfo"};
const std::vector<std::string> kSummaryOrder = {"incidentType", "escalateToHighPriority", "reportAnnotations",
                                                "incidentDateTime", "incidentDateTimeDescription"};
const std::vector<std::string> kFileOrder = {"reportId",
                                             "fileId",
                                             "fileName",
                                             "originalFileName",
                                             "locationOfFile",
                                             "fileViewedByEsp",
                                             "exifViewedByEsp",
                                             "publiclyAvailable",
                                             "fileRelevance",
                                             "fileAnnotations",
                                             "industryClassification",
                                             "originalFileHash",
                                             "ipCaptureEvent",
                                             "deviceId",
                                             "details",
                                             "additionalInfo"};

std::string check_order(const XmlElement& e, const std::vector<std::string>& order) {
  size_t last = 0;
  for (const XmlElement& c : e.children) {
    auto it = std::find(order.begin(), order.end(), c.name);
    if (it == order.end()) return "unexpected element <" + c.name + "> in <" + e.name + ">";
    const size_t rank = static_cast<size_t>(it - order.begin());
    if (rank < last) return "element <" + c.name + "> out of order in <" + e.name + ">";
    last = rank;
  }
  return {};
}

bool is_bool(const XmlElement* e) { return e == nullptr || e->text == "true" || e->text == "false"; }

class Fake {
 public:
  Fake(std::string user, std::string password, size_t max_file_bytes)
      : expected_auth_("Basic " + base64(user + ":" + password)), user_(std::move(user)), max_file_(max_file_bytes) {}

  void routes(http::Router& r) {
    r.add("GET", "/status", guarded([this](http::Request&, http::Response& res) { ok(res, user_line()); }));
    r.add("POST", "/submit", guarded([this](http::Request& q, http::Response& s) { submit(q, s); }));
    r.add("POST", "/upload", guarded([this](http::Request& q, http::Response& s) { upload(q, s); }));
    r.add("POST", "/fileinfo", guarded([this](http::Request& q, http::Response& s) { fileinfo(q, s); }));
    r.add("POST", "/finish", guarded([this](http::Request& q, http::Response& s) { transition(q, s, true); }));
    r.add("POST", "/retract", guarded([this](http::Request& q, http::Response& s) { transition(q, s, false); }));
    r.add("GET", "/_fake/report/{id}", guarded([this](http::Request& q, http::Response& s) { dump(q, s); }));
  }

 private:
  static std::string base64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                   reinterpret_cast<const unsigned char*>(in.data()),
                                                   static_cast<int>(in.size()))));
    return out;
  }
  static std::string md5_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
    std::string out;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
      std::snprintf(buf, sizeof buf, "%02x", md[i]);
      out += buf;
    }
    return out;
  }
  std::string user_line() const { return "Remote User : " + user_; }

  http::Handler guarded(http::Handler h) {
    return [this, h](http::Request& q, http::Response& s) {
      const std::string* auth = q.header("authorization");
      if (auth == nullptr || *auth != expected_auth_) {
        s.headers.emplace_back("WWW-Authenticate", "Basic realm=\"ispws\"");
        send(s, 401, make(2000, "Authentication required"));
        return;
      }
      h(q, s);
    };
  }
  static ct::Response make(int code, std::string description) {
    ct::Response r;
    r.response_code = code;
    r.response_description = std::move(description);
    return r;
  }
  static void send(http::Response& s, int status, const ct::Response& r) {
    s.status = status;
    s.content_type = "application/xml";
    s.body = ct::response_xml(r);
  }
  static void ok(http::Response& s, std::string description) { send(s, 200, make(0, std::move(description))); }
  static void refuse(http::Response& s, int code, std::string description) {
    send(s, 200, make(code, std::move(description)));
  }

  // The report id from a multipart "id" part, a form body, or ?id=.
  static std::string id_of(http::Request& q) {
    const std::string* ct = q.header("content-type");
    if (ct != nullptr && ct->find("multipart/form-data") != std::string::npos) {
      auto parts = http::parse_multipart(*ct, q.body);
      if (parts.ok())
        for (const http::Part& p : parts.value())
          if (p.name == "id") return std::string(p.data);
    }
    if (ct != nullptr && ct->find("application/x-www-form-urlencoded") != std::string::npos &&
        q.body.rfind("id=", 0) == 0)
      return q.body.substr(3, q.body.find('&') == std::string::npos ? std::string::npos : q.body.find('&') - 3);
    if (auto v = q.query_param("id")) return std::string(*v);
    return {};
  }

  // The open report for id, or answers the documented error and returns null.
  ReportState* open_report(const std::string& id, http::Response& s) {
    auto it = reports_.find(id);
    if (it == reports_.end()) return refuse(s, 5001, "Report does not exist: " + id), nullptr;
    if (it->second.state == "retracted") return refuse(s, 5101, "Report already retracted"), nullptr;
    if (it->second.state == "finished") return refuse(s, 5102, "Report already finished"), nullptr;
    return &it->second;
  }

  void submit(http::Request& q, http::Response& s) {
    auto doc = reports::parse_xml(q.body);
    if (!doc.ok()) return refuse(s, 4110, "Malformed XML submittal: " + doc.status().message());
    const XmlElement& r = doc.value();
    if (r.name != "report") return refuse(s, 4100, "Validation failed: the root element must be <report>");
    if (std::string e = check_order(r, kReportOrder); !e.empty()) return refuse(s, 4100, "Validation failed: " + e);
    const XmlElement* sum = r.child("incidentSummary");
    if (std::string e = sum ? check_order(*sum, kSummaryOrder) : ""; !e.empty())
      return refuse(s, 4100, "Validation failed: " + e);
    const XmlElement* type = sum ? sum->child("incidentType") : nullptr;
    const XmlElement* when = sum ? sum->child("incidentDateTime") : nullptr;
    const XmlElement* rep = r.child("reporter");
    const XmlElement* person = rep ? rep->child("reportingPerson") : nullptr;
    if (type == nullptr) return refuse(s, 4100, "Validation failed: incidentSummary/incidentType is required");
    const auto types = ct::incident_types();
    if (std::find(types.begin(), types.end(), type->trimmed_text()) == types.end())
      return refuse(s, 4100, "Validation failed: incidentType '" + type->text + "' is not a documented value");
    if (when == nullptr || !ct::is_iso8601_date_time(when->trimmed_text()))
      return refuse(s, 4100, "Validation failed: incidentSummary/incidentDateTime is required (ISO 8601)");
    if (person == nullptr || person->child("email") == nullptr)
      return refuse(s, 4100, "Validation failed: reporter/reportingPerson/email is required");
    std::lock_guard lock(mu_);
    const std::string id = std::to_string(next_report_++);
    reports_[id].report_xml = q.body;
    send(s, 200, [&] {
      ct::Response out = make(0, "Success");
      out.report_id = id;
      return out;
    }());
  }

  void upload(http::Request& q, http::Response& s) {
    const std::string* ctype = q.header("content-type");
    auto parts = http::parse_multipart(ctype ? *ctype : "", q.body);
    if (!parts.ok()) return refuse(s, 4200, "Malformed file submittal: " + parts.status().message());
    std::string id;
    const http::Part* file = nullptr;
    for (const http::Part& p : parts.value()) {
      if (p.name == "id") id = std::string(p.data);
      if (p.name == "file") file = &p;
    }
    if (id.empty() || file == nullptr) return refuse(s, 4200, "Malformed file submittal: needs the parts id and file");
    std::lock_guard lock(mu_);
    ReportState* r = open_report(id, s);
    if (r == nullptr) return;
    if (file->data.size() > max_file_)
      return refuse(s, 1111, "File upload failed: file over " + std::to_string(max_file_) + " bytes");
    FileState f;
    f.file_id = random_id();
    f.file_name = file->filename;
    f.size = file->data.size();
    f.md5 = md5_hex(file->data);
    r->files.push_back(f);
    ct::Response out = make(0, "Success");
    out.report_id = id;
    out.file_id = f.file_id;
    out.hash = f.md5;
    send(s, 200, out);
  }

  void fileinfo(http::Request& q, http::Response& s) {
    auto doc = reports::parse_xml(q.body);
    if (!doc.ok()) return refuse(s, 4110, "Malformed XML submittal: " + doc.status().message());
    const XmlElement& d = doc.value();
    if (d.name != "fileDetails") return refuse(s, 4100, "Validation failed: the root element must be <fileDetails>");
    if (std::string e = check_order(d, kFileOrder); !e.empty()) return refuse(s, 4100, "Validation failed: " + e);
    const XmlElement* rid = d.child("reportId");
    const XmlElement* fid = d.child("fileId");
    if (rid == nullptr || fid == nullptr) return refuse(s, 4100, "Validation failed: reportId and fileId are required");
    for (const char* flag : {"fileViewedByEsp", "exifViewedByEsp", "publiclyAvailable"})
      if (!is_bool(d.child(flag)))
        return refuse(s, 4100, std::string("Validation failed: ") + flag + " must be true or false");
    if (const XmlElement* ic = d.child("industryClassification");
        ic && ic->text != "A1" && ic->text != "A2" && ic->text != "B1" && ic->text != "B2")
      return refuse(s, 4100, "Validation failed: industryClassification must be A1, A2, B1 or B2");
    if (const XmlElement* rel = d.child("fileRelevance");
        rel && rel->text != "Reported" && rel->text != "Supplemental Reported")
      return refuse(s, 4100, "Validation failed: fileRelevance must be Reported or Supplemental Reported");
    std::lock_guard lock(mu_);
    ReportState* r = open_report(rid->text, s);
    if (r == nullptr) return;
    auto f = std::find_if(r->files.begin(), r->files.end(), [&](const FileState& x) { return x.file_id == fid->text; });
    if (f == r->files.end()) return refuse(s, 5002, "File does not exist: " + fid->text);
    f->details_xml = q.body;
    ct::Response out = make(0, "Success");
    out.report_id = rid->text;
    send(s, 200, out);
  }

  void transition(http::Request& q, http::Response& s, bool finish) {
    const std::string id = id_of(q);
    if (id.empty()) return refuse(s, 4000, "Invalid request: the report id is missing");
    std::lock_guard lock(mu_);
    ReportState* r = open_report(id, s);
    if (r == nullptr) return;
    r->state = finish ? "finished" : "retracted";
    ct::Response out = make(0, "Success");
    out.report_id = id;
    if (finish) {
      out.root = "reportDoneResponse";
      for (const FileState& f : r->files) out.file_ids.push_back(f.file_id);
    }
    send(s, 200, out);
  }

  void dump(http::Request& q, http::Response& s) {
    std::lock_guard lock(mu_);
    auto it = reports_.find(std::string(q.param("id")));
    if (it == reports_.end()) return http::json_error(s, 404, "not_found", "no such report");
    nlohmann::json files = nlohmann::json::array();
    for (const FileState& f : it->second.files)
      files.push_back({{"fileId", f.file_id},
                       {"fileName", f.file_name},
                       {"size", f.size},
                       {"md5", f.md5},
                       {"fileDetailsXml", f.details_xml}});
    s.body = nlohmann::json{
        {"note", "test-only view of chainbreak-fake-cybertip; not part of the CyberTipline API"},
        {"reportId", it->first},
        {"state", it->second.state},
        {"reportXml", it->second.report_xml},
        {"files",
         files}}.dump();
  }

  std::string random_id() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i) out += kHex[rng_() & 15];
    return out;
  }

  const std::string expected_auth_;
  const std::string user_;
  const size_t max_file_;
  std::mutex mu_;
  std::map<std::string, ReportState> reports_;
  int64_t next_report_ = 100'001;
  std::mt19937_64 rng_{std::random_device{}()};
};

int usage() {
  std::fprintf(stderr,
               "usage: chainbreak-fake-cybertip --port N --user U --password P [--host H] [--max-file-bytes B]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string user, password, host = "127.0.0.1";
  long port = -1;
  unsigned long long max_file = 32ull << 20;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    char* end = nullptr;
    if (a == "--port") {
      port = std::strtol(v, &end, 10);
      if (*end != '\0' || port < 0 || port > 65535) return usage();
    } else if (a == "--user") {
      user = v;
    } else if (a == "--password") {
      password = v;
    } else if (a == "--host") {
      host = v;
    } else if (a == "--max-file-bytes") {
      max_file = std::strtoull(v, &end, 10);
      if (*end != '\0') return usage();
    } else {
      return usage();
    }
  }
  if (port < 0 || user.empty() || password.empty()) return usage();

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // the I/O threads inherit the mask

  auto fake = std::make_shared<Fake>(user, password, static_cast<size_t>(max_file));
  auto router = std::make_shared<http::Router>();
  fake->routes(*router);
  http::ServerOptions so;
  so.host = host;
  so.port = static_cast<uint16_t>(port);
  so.threads = 2;
  so.max_body_bytes = std::max<size_t>(64u << 20, static_cast<size_t>(max_file) + (1u << 20));
  auto server = http::HttpServer::start(so, [router](http::Request& q, http::Response& s) { router->handle(q, s); });
  if (!server.ok()) {
    std::fprintf(stderr, "chainbreak-fake-cybertip: %s\n", server.status().message().c_str());
    return 1;
  }
  std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(server.value()->port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.value()->stop(std::chrono::milliseconds(1000));
  return 0;
}
