// Client of the NCMEC CyberTipline Reporting API: GET /status, POST /submit,
// /upload, /fileinfo, /finish, /retract, with HTTP Basic authentication,
// and submit_report() running the whole documented sequence.
//
// Errors (Status/Result, never exceptions):
//   - kInvalidInput: our document failed validation before sending, or the
//     service answered a non-zero responseCode in 4000..4999 (validation,
//     malformed XML);
//   - kIo: the network (connection, timeout), HTTP errors without a
//     parseable response, an unparseable response, and every other
//     non-zero responseCode (authentication 2000, authorisation 3000+,
//     server 1000+, unknown report 5001, finished 5102, ...).
// A non-zero responseCode gives the message
// "<step>: CyberTipline responseCode <code>: <description>"; the code and
// description are also kept in last_error() for callers that branch on
// them.
//
// Thread-safety: a Client is used by one thread at a time (last_error()).
// Credentials are held in memory only, never logged or put in messages.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "reports/cybertip.h"
#include "util/result.h"

namespace chainbreak::reports::cybertip {

inline constexpr const char* kProductionUrl = "https://report.cybertip.org/ispws";
inline constexpr const char* kTestUrl = "https://exttest.cybertip.org/ispws";

struct ClientOptions {
  std::string base_url = kTestUrl;  // http:// only for local fakes; no trailing '/'
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout{60'000};  // per request
};

// What the last failed call learnt from the service.
struct ServiceError {
  int http_status = 0;     // 0 when no HTTP response arrived
  int response_code = -1;  // -1 when the response had none
  std::string description;
};

struct UploadResult {
  std::string file_id;
  std::string hash;  // MD5 (lowercase hex) the service computed
};

class Client {
 public:
  explicit Client(ClientOptions options);

  // GET /status: checks reachability and credentials; returns the
  // responseDescription (e.g. "Remote User : name").
  Result<std::string> status();
  // POST /submit (report XML, validated first): returns the reportId.
  Result<std::string> submit(const Report& report);
  // POST /upload (multipart: id, file): returns the fileId and MD5.
  Result<UploadResult> upload(const std::string& report_id, const std::string& file_name, std::string_view data);
  // POST /fileinfo: details must carry report_id and file_id.
  Status file_info(const FileDetails& details);
  // POST /finish: returns the fileIds the service lists for the report.
  Result<std::vector<std::string>> finish(const std::string& report_id);
  // POST /retract: cancels a report that is not finished.
  Status retract(const std::string& report_id);

  const ServiceError& last_error() const { return last_error_; }

 private:
  Result<Response> call(const char* step, const std::string& method, const std::string& path, const std::string& body,
                        const std::string& content_type);
  Result<Response> post_id(const char* step, const std::string& path, const std::string& report_id);

  ClientOptions options_;
  std::string authorization_;  // "Basic <base64>"
  ServiceError last_error_;
};

// One file for submit_report: the local path and its details (report_id
// and file_id are filled in by submit_report; file_name defaults to the
// path's last component).
struct FileToSend {
  std::string path;
  FileDetails details;
};

struct SubmitOutcome {
  std::string report_id;
  std::vector<UploadResult> files;  // in the order given
};

// Largest file submit_report reads (it holds one file in memory at a time).
inline constexpr size_t kMaxUploadBytes = size_t{1} << 30;

// Runs the documented sequence: validates everything and checks every file
// can be read (before anything is sent), POST /submit, then per file
// /upload (the returned MD5 must equal the local file's) and /fileinfo,
// then /finish. If any step after /submit fails, the report is retracted;
// the error message then ends with "; report <id> retracted" (or
// "; retracting report <id> also failed: ..."). Errors as for Client.
Result<SubmitOutcome> submit_report(Client& client, const Report& report, std::span<const FileToSend> files);

// One file for submit_sources, given by its bytes instead of a path: for
// files that must not sit on disk in clear, such as evidence decrypted from
// the vault. read is called once per file, after /submit and just before
// that file's upload, so one file is in memory at a time; an error it
// returns fails the submission like an upload error (the report is
// retracted, the message names the file).
struct FileSource {
  std::string name;     // the uploaded file name, 1..255 bytes (also the default fileName)
  FileDetails details;  // report_id and file_id are filled in by submit_report
  std::function<Result<std::string>()> read;
};

// submit_report's sequence with files from FileSource. Validates the report and
// every file's details (and that each has a name and a reader) before
// anything is sent; a file over kMaxUploadBytes fails with kLimitExceeded
// (and a retraction). Errors otherwise as above.
Result<SubmitOutcome> submit_sources(Client& client, const Report& report, std::span<const FileSource> files);

}  // namespace chainbreak::reports::cybertip
