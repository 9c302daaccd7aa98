// `chainbreak report cybertip|dsa`: reports to authorities. Thin: option
// parsing, files and messages; the formats and the client are in reports/.
//
//   report cybertip --input report.json [--file PATH...]
//       writes the report XML (validated) to standard output;
//   report cybertip --input report.json --submit URL --user U --password-file F [--file PATH...]
//       runs status, submit, upload + fileinfo per file, finish (retracting
//       on failure) and prints "reportId\t<id>" then "fileId\t<id>\t<md5>\t<path>";
//   report cybertip --case ID [--data DIR | --db URL] --reporter-name N --reporter-email E
//                   [--submit URL --user U --password-file F [--key-dir DIR]]
//       the same from a stored case (reports/from_case.h): prints the case's
//       export XML, or submits the report with the case's evidence
//       (decrypted in memory); audit-logged (actor "cli");
//   report dsa --decision ID [--data DIR | --db URL] [options]
//       prints the DSA statement of reasons JSON for a stored decision and
//       records the export in the audit log.
// Exit status: 0 success, 1 failed operation, 2 usage or invalid input.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/store_location.h"
#include "custody/vault.h"
#include "reports/cybertip_json.h"
#include "reports/dsa.h"
#include "reports/from_case.h"
#include "store/case_store.h"
#include "store/custody_store.h"
#include "store/service_store.h"
#include "util/file.h"

namespace chainbreak::cli {
namespace {

namespace ct = reports::cybertip;

struct ReportOptions {
  // cybertip
  std::string input;
  int64_t case_id = 0;  // --case, instead of --input
  std::string reporter_name, reporter_email, reporter_phone;
  std::string key_dir;
  std::vector<std::string> files;
  std::string submit, user, password_file;
  bool retake = false;  // --case --submit over an interrupted "pending" claim
  int timeout_ms = 60'000;
  // dsa
  int64_t decision = 0;
  StoreLocation where;
  reports::dsa::Options dsa;
  bool disable_on_block = false;
};

int fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "chainbreak: %s%s\n", what.empty() ? "" : (what + ": ").c_str(), st.message().c_str());
  return st.code() == ErrorCode::kInvalidInput ? 2 : 1;
}

Result<std::string> read_text(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::vector<uint8_t> bytes;
  if (Status s = read_file(path, 64u << 20, bytes); !s.ok()) return s;
  return std::string(bytes.begin(), bytes.end());
}

bool write_all(const std::string& s) { return std::fwrite(s.data(), 1, s.size(), stdout) == s.size(); }

// The database location of --data / --db; kIo when a SQLite one is missing.
Result<std::string> database(const StoreLocation& where) {
  if (!where.db.empty()) return where.db;
  std::string location = resolve_data_dir(where) + "/chainbreak.db";
  std::error_code ec;
  if (!std::filesystem::exists(location, ec)) return IoError("no database at " + location + " (give --data or --db)");
  return location;
}

Result<std::string> read_password(const std::string& path) {
  auto password = read_text(path);
  if (!password.ok()) return Status(password.status().code(), path + ": " + password.status().message());
  std::string pw = std::move(password).value();
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  return pw;
}

ct::ClientOptions client_options(const ReportOptions& o, std::string password) {
  ct::ClientOptions co;
  co.base_url = o.submit == "production" ? ct::kProductionUrl : o.submit == "test" ? ct::kTestUrl : o.submit;
  co.user = o.user;
  co.password = std::move(password);
  co.timeout = std::chrono::milliseconds(o.timeout_ms);
  return co;
}

// report cybertip --case: the case's report from the store; every export
// and submission is an audit entry written before anything leaves.
int run_cybertip_case(const ReportOptions& o) {
  if (!o.files.empty()) return fail("--file", InvalidInput("not with --case (the case's evidence is sent)"));
  if (o.reporter_name.empty() || o.reporter_email.empty())
    return fail("--case", InvalidInput("needs --reporter-name and --reporter-email"));
  if (!o.submit.empty() && (o.user.empty() || o.password_file.empty()))
    return fail("--submit", InvalidInput("needs --user and --password-file"));
  auto location = database(o.where);
  if (!location.ok()) return fail("", location.status());
  auto cases = store::open_case_store(location.value());
  if (!cases.ok()) return fail("", cases.status());
  auto sv = store::open_service_store(location.value());
  if (!sv.ok()) return fail("", sv.status());
  const std::string target = "case:" + std::to_string(o.case_id);
  auto built = ct::load_case_report(*cases.value(), o.case_id,
                                    ct::case_reporter(o.reporter_name, o.reporter_email, o.reporter_phone));
  if (!built.ok()) return fail("", built.status());
  if (!built.value()) return fail("", InvalidInput("no case " + std::to_string(o.case_id)));
  const ct::CaseReportOut& out = *built.value();
  nlohmann::json evidence = nlohmann::json::array();
  for (const auto& f : out.files) evidence.push_back(f.evidence_id);

  if (o.submit.empty()) {
    auto xml = ct::case_report_xml(o.case_id, out);
    if (!xml.ok()) return fail(target, xml.status());
    nlohmann::json detail = {{"format", "cybertip-xml"}, {"evidence", evidence}};
    auto audit = sv.value()->append_audit("cli", "case.cybertip_export", target, detail.dump());
    if (!audit.ok()) return fail("audit log", audit.status());
    if (!write_all(xml.value()) || std::fflush(stdout) != 0) return fail("", IoError("cannot write standard output"));
    return 0;
  }

  auto pw = read_password(o.password_file);
  if (!pw.ok()) return fail("", pw.status());
  auto key_dir = custody::resolve_key_dir(location.value(), o.key_dir);
  if (!key_dir.ok()) return fail("--key-dir", key_dir.status());
  auto key = custody::load_evidence_key(key_dir.value());
  if (!key.ok()) return fail(key_dir.value(), key.status());
  if (!out.files.empty() && !key.value()) return fail("", IoError("no evidence key in " + key_dir.value()));
  auto custody_store = store::open_custody_store(location.value());
  if (!custody_store.ok()) return fail("", custody_store.status());
  std::optional<custody::Vault> vault;
  if (key.value()) vault.emplace(*sv.value(), *custody_store.value(), *key.value());
  std::vector<ct::FileSource> files;
  for (const ct::CaseFile& f : out.files) {
    files.push_back({f.details.file_name, f.details, [&vault, eid = f.evidence_id]() -> Result<std::string> {
                       // Decrypted in memory only; audited as "evidence.export".
                       auto ev = vault->export_evidence(eid, "cli", "NCMEC CyberTipline");
                       if (!ev.ok()) return ev.status();
                       return std::move(ev.value().bytes);
                     }});
  }
  ct::ClientOptions co = client_options(o, std::move(pw).value());
  // One report per case (as the service's route): claim, then record.
  auto claimed = cases.value()->claim_cybertip(o.case_id, o.retake);
  if (!claimed.ok()) return fail(target, claimed.status());
  if (!claimed.value()) {
    auto c = cases.value()->get_case(o.case_id);
    const std::string filed = c.ok() && c.value() ? c.value()->cybertip_report : "";
    return fail(target, InvalidInput(filed == "pending" ? "a CyberTipline submission of this case is running or was "
                                                          "interrupted; if NCMEC has no report for it, add --retake"
                                                        : "already reported to NCMEC (report " + filed + ")"));
  }
  nlohmann::json detail = {{"service", co.base_url}, {"evidence", evidence}};
  auto audit = sv.value()->append_audit("cli", "case.cybertip_submit", target, detail.dump());
  if (!audit.ok()) {
    (void)cases.value()->finish_cybertip(o.case_id, "");
    return fail("audit log", audit.status());
  }
  ct::Client client(co);
  auto status = client.status();
  auto sent = status.ok() ? ct::submit_sources(client, out.report, files) : Result<ct::SubmitOutcome>(status.status());
  if (Status st = cases.value()->finish_cybertip(o.case_id, sent.ok() ? sent.value().report_id : ""); !st.ok())
    std::fprintf(stderr, "chainbreak: warning: %s: cybertip claim: %s\n", target.c_str(), st.message().c_str());
  if (!sent.ok()) {
    (void)sv.value()->append_audit("cli", "case.cybertip_submit.failed", target,
                                   nlohmann::json{{"error", sent.status().message()}}.dump());
    return fail("cybertip", sent.status());
  }
  nlohmann::json fs = nlohmann::json::array();
  std::string lines = "reportId\t" + sent.value().report_id + "\n";
  for (size_t i = 0; i < sent.value().files.size() && i < out.files.size(); ++i) {
    const ct::UploadResult& f = sent.value().files[i];
    fs.push_back({{"evidence_id", out.files[i].evidence_id}, {"file_id", f.file_id}, {"md5", f.hash}});
    lines += "fileId\t" + f.file_id + "\t" + f.hash + "\t" + out.files[i].details.file_name + "\n";
  }
  auto done = sv.value()->append_audit("cli", "case.cybertip_submitted", target,
                                       nlohmann::json{{"report_id", sent.value().report_id}, {"files", fs}}.dump());
  if (!done.ok())
    std::fprintf(stderr, "chainbreak: warning: report %s was submitted but its audit entry failed: %s\n",
                 sent.value().report_id.c_str(), done.status().message().c_str());
  if (!write_all(lines) || std::fflush(stdout) != 0) return fail("", IoError("cannot write standard output"));
  return 0;
}

int run_cybertip(const ReportOptions& o) {
  if (o.input.empty() == (o.case_id == 0))
    return fail("report cybertip", InvalidInput("give exactly one of --input and --case"));
  if (o.case_id != 0) return run_cybertip_case(o);
  auto text = read_text(o.input);
  if (!text.ok()) return fail(o.input, text.status());
  auto in = ct::parse_report_json(text.value());
  if (!in.ok()) return fail(o.input, in.status());
  ct::ReportInput& input = in.value();
  // --file paths fill the files entries in order; extra ones get empty details.
  for (size_t i = 0; i < o.files.size(); ++i) {
    if (i >= input.files.size()) input.files.emplace_back();
    input.files[i].path = o.files[i];
  }
  if (Status s = ct::validate(input.report); !s.ok()) return fail(o.input, s);
  for (size_t i = 0; i < input.files.size(); ++i) {
    if (Status s = ct::validate_file(input.files[i].details, i + 1, false); !s.ok()) return fail(o.input, s);
  }

  if (o.submit.empty()) {
    auto xml = ct::report_xml(input.report);
    if (!xml.ok()) return fail(o.input, xml.status());
    if (!write_all(xml.value()) || std::fflush(stdout) != 0) return fail("", IoError("cannot write standard output"));
    return 0;
  }

  for (size_t i = 0; i < input.files.size(); ++i) {
    if (input.files[i].path.empty())
      return fail(o.input, InvalidInput("file " + std::to_string(i + 1) +
                                        " has no path (give \"path\" in the input or --file)"));
  }
  if (o.user.empty() || o.password_file.empty())
    return fail("--submit", InvalidInput("needs --user and --password-file"));
  auto pw = read_password(o.password_file);
  if (!pw.ok()) return fail("", pw.status());
  ct::Client client(client_options(o, std::move(pw).value()));
  auto status = client.status();
  if (!status.ok()) return fail("cybertip", status.status());
  auto out = ct::submit_report(client, input.report, input.files);
  if (!out.ok()) return fail("cybertip", out.status());
  std::string lines = "reportId\t" + out.value().report_id + "\n";
  for (size_t i = 0; i < out.value().files.size(); ++i) {
    const ct::UploadResult& f = out.value().files[i];
    lines += "fileId\t" + f.file_id + "\t" + f.hash + "\t" + input.files[i].path + "\n";
  }
  if (!write_all(lines) || std::fflush(stdout) != 0) return fail("", IoError("cannot write standard output"));
  return 0;
}

int run_dsa(ReportOptions o) {
  auto location = database(o.where);
  if (!location.ok()) return fail("", location.status());
  auto sv = store::open_service_store(location.value());
  if (!sv.ok()) return fail("", sv.status());
  auto d = sv.value()->get_decision(o.decision);
  if (!d.ok()) return fail("decision " + std::to_string(o.decision), d.status());
  if (!d.value()) return fail("", InvalidInput("no decision " + std::to_string(o.decision)));
  if (o.disable_on_block) o.dsa.block_removes = false;
  auto st = reports::dsa::statement_from_decision(*d.value(), o.dsa);
  if (!st.ok()) return fail("", st.status());
  // Every export of a decision is an audit entry; no entry, no export.
  auto audit = sv.value()->append_audit("cli", "decision.export", "decision:" + std::to_string(o.decision),
                                        "{\"format\":\"dsa-statement\",\"puid\":\"" + st.value().puid + "\"}");
  if (!audit.ok()) return fail("audit log", audit.status());
  if (!write_all(reports::dsa::to_json(st.value()) + "\n") || std::fflush(stdout) != 0)
    return fail("", IoError("cannot write standard output"));
  return 0;
}

}  // namespace

Command add_report_command(CLI::App& root) {
  auto o = std::make_shared<ReportOptions>();
  auto r = root.add_subcommand("report", "Reports to authorities: NCMEC CyberTipline, DSA statements of reasons");
  r->require_subcommand(1);

  auto c = r->add_subcommand("cybertip", "Write a CyberTipline report's XML, or submit it with its files");
  c->add_option("--input", o->input, "report.json (docs/FORMATS.md), or - for standard input");
  c->add_option("--case", o->case_id, "A stored case assessed illegal, instead of --input")->check(CLI::PositiveNumber);
  c->add_option("--data", o->where.data_dir, "Data directory of the case (default: $CHAINBREAK_DATA, else ...)");
  c->add_option("--db", o->where.db, "PostgreSQL (postgresql://...) or a SQLite file holding the case");
  c->add_option("--key-dir", o->key_dir, "Evidence key directory (with --case --submit; default as for serve)");
  c->add_option("--reporter-name", o->reporter_name, "Who files (with --case; split at the last space)");
  c->add_option("--reporter-email", o->reporter_email, "The reporter's e-mail (with --case)");
  c->add_option("--reporter-phone", o->reporter_phone, "The reporter's phone (with --case, optional)");
  c->add_option("--file", o->files, "File to upload (fills the input's files entries in order; repeatable)");
  c->add_option("--submit", o->submit,
                "Submit to this base URL (https://report.cybertip.org/ispws, https://exttest.cybertip.org/ispws, "
                "production, test, or a local http:// fake)");
  c->add_option("--user", o->user, "CyberTipline API user (with --submit)");
  c->add_flag("--retake", o->retake,
              "With --case --submit: take over a submission that was interrupted (check NCMEC has no report first)");
  c->add_option("--password-file", o->password_file, "File holding the API password (with --submit)");
  c->add_option("--timeout-ms", o->timeout_ms, "Per-request timeout")->check(CLI::Range(100, 3'600'000));

  auto d = r->add_subcommand("dsa", "Print the DSA Transparency Database statement of reasons for a decision");
  d->add_option("--decision", o->decision, "Decision id")->required()->check(CLI::PositiveNumber);
  d->add_option("--data", o->where.data_dir,
                "Data directory (default: $CHAINBREAK_DATA, else ~/.local/share/chainbreak)");
  d->add_option("--db", o->where.db, "PostgreSQL (postgresql://...) or a SQLite file instead of DIR/chainbreak.db");
  d->add_option("--puid-prefix", o->dsa.puid_prefix, "Prefix of the platform unique id (puid = prefix + decision id)");
  d->add_option("--content-type", o->dsa.content_type, "CONTENT_TYPE_* (repeatable; default CONTENT_TYPE_IMAGE)");
  d->add_option("--territorial-scope", o->dsa.territorial_scope, "EU/EEA country code (repeatable)");
  d->add_option(
      "--source-type", o->dsa.source_type,
      "SOURCE_VOLUNTARY (default), SOURCE_ARTICLE_16, SOURCE_TRUSTED_FLAGGER, SOURCE_TYPE_OTHER_NOTIFICATION");
  d->add_option("--source-identity", o->dsa.source_identity, "Who notified (not with SOURCE_VOLUNTARY)");
  d->add_flag("--human-reviewed", o->dsa.human_reviewed, "A person confirmed the decision (partially automated)");
  d->add_flag("--disable-on-block", o->disable_on_block, "State a block as disabled access instead of removal");
  d->add_option("--keyword", o->dsa.category_specification, "KEYWORD_* (default: from the matches' classifications)");
  d->add_option("--content-date", o->dsa.content_date, "YYYY-MM-DD the content was posted (default: decision date)");
  d->add_option("--content-language", o->dsa.content_language, "ISO 639-1 upper case, e.g. EN");
  d->add_option("--legal-ground", o->dsa.legal_ground, "Legal ground relied on (<= 500 characters)");
  d->add_option("--explanation", o->dsa.explanation, "Why the content is illegal on that ground (<= 2000)");

  return {r, [o, c, d] {
            if (c->parsed()) return run_cybertip(*o);
            if (d->parsed()) return run_dsa(*o);
            return 2;
          }};
}

}  // namespace chainbreak::cli
