// `chainbreak report cybertip|dsa`: reports to authorities. Thin: option
// parsing, files and messages; the formats and the client are in reports/.
//
//   report cybertip --input report.json [--file PATH...]
//       writes the report XML (validated) to standard output;
//   report cybertip --input report.json --submit URL --user U --password-file F [--file PATH...]
//       runs status, submit, upload + fileinfo per file, finish (retracting
//       on failure) and prints "reportId\t<id>" then "fileId\t<id>\t<md5>\t<path>";
//   report dsa --decision ID [--data DIR | --db URL] [options]
//       prints the DSA statement of reasons JSON for a stored decision and
//       records the export in the audit log.
// Exit status: 0 success, 1 failed operation, 2 usage or invalid input.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/store_location.h"
#include "reports/cybertip_json.h"
#include "reports/dsa.h"
#include "store/service_store.h"
#include "util/file.h"

namespace chainbreak::cli {
namespace {

namespace ct = reports::cybertip;

struct ReportOptions {
  // cybertip
  std::string input;
  std::vector<std::string> files;
  std::string submit, user, password_file;
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

int run_cybertip(const ReportOptions& o) {
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
  auto password = read_text(o.password_file);
  if (!password.ok()) return fail(o.password_file, password.status());
  std::string pw = std::move(password).value();
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();

  ct::ClientOptions co;
  co.base_url = o.submit == "production" ? ct::kProductionUrl : o.submit == "test" ? ct::kTestUrl : o.submit;
  co.user = o.user;
  co.password = std::move(pw);
  co.timeout = std::chrono::milliseconds(o.timeout_ms);
  ct::Client client(co);
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
  std::string location = o.where.db;
  if (location.empty()) {
    location = resolve_data_dir(o.where) + "/chainbreak.db";
    std::error_code ec;
    if (!std::filesystem::exists(location, ec))
      return fail("", IoError("no database at " + location + " (give --data or --db)"));
  }
  auto sv = store::open_service_store(location);
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
  c->add_option("--input", o->input, "report.json (docs/FORMATS.md), or - for standard input")->required();
  c->add_option("--file", o->files, "File to upload (fills the input's files entries in order; repeatable)");
  c->add_option("--submit", o->submit,
                "Submit to this base URL (https://report.cybertip.org/ispws, https://exttest.cybertip.org/ispws, "
                "production, test, or a local http:// fake)");
  c->add_option("--user", o->user, "CyberTipline API user (with --submit)");
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
