// Reports to NCMEC built from cases (docs/CASES.md, "Reports to
// authorities"; the mapping is reports/from_case.h):
//   GET  /v1/cases/{id}/cybertip         the CyberTipline report of the case
//                                        with its files' details (XML), an
//                                        audited export;
//   POST /v1/cases/{id}/cybertip/submit  submits it with the case's evidence
//                                        to the CyberTipline service serve
//                                        was given, on a thread of its own.
// Both need the reporter (serve --reporter-name/--reporter-email) and a case
// assessed illegal; neither changes the case's state.
#include <cstdio>
#include <optional>
#include <vector>

#include "reports/from_case.h"
#include "server/api/api_internal.h"
#include "server/api/case_desk.h"

namespace chainbreak::api {

namespace {

namespace ct = reports::cybertip;

// The recipient named in the vault's "evidence.export" entries.
constexpr const char* kRecipient = "NCMEC CyberTipline";

Json evidence_ids(const ct::CaseReportOut& out) {
  Json a = Json::array();
  for (const auto& f : out.files) a.push_back(f.evidence_id);
  return a;
}

// True when serve was given a reporter; else a 409 on res saying how.
bool reporter_configured(const ApiOptions& o, http::Response& res) {
  if (!o.reporter.reporting_person.emails.empty()) return true;
  http::json_error(res, 409, "not_configured",
                   "no reporter is configured for CyberTipline reports: start chainbreak serve with "
                   "--reporter-name and --reporter-email",
                   "reporter");
  return false;
}

// The case's report; nullopt with res set: 404 for an unknown case, 409
// for a case that cannot be reported (not assessed illegal, category
// other; the field is "case") or a report that does not validate (the
// field is the message's path), 503 for the store.
std::optional<ct::CaseReportOut> build(CaseDesk& cases, const ApiOptions& o, int64_t id, http::Response& res) {
  auto db = cases.store();
  if (!db.ok()) {
    send_status(res, db.status());
    return std::nullopt;
  }
  auto out = ct::load_case_report(*db.value(), id, o.reporter);
  if (!out.ok()) {
    if (out.status().code() == ErrorCode::kInvalidInput) {
      const std::string m = out.status().message();
      http::json_error(res, 409, "not_reportable", m, m.substr(0, m.find(':')));
    } else {
      send_status(res, out.status());
    }
    return std::nullopt;
  }
  if (!out.value()) {
    http::json_error(res, 404, "not_found", "no case " + std::to_string(id), "id");
    return std::nullopt;
  }
  return std::move(*out.value());
}

}  // namespace

void Api::Impl::add_case_report_routes() {
  // The submission, on its own thread: audit entry, status check, submit with
  // every file, audit entry with the outcome; sets res (the caller resumes).
  // The case's claim (store::CaseStore::claim_cybertip) ends with the report
  // id, or released ("") when nothing was filed.
  auto settle = [](Api::Impl& api, int64_t id, const std::string& report_id) {
    auto db = api.cases->store();
    Status st = db.ok() ? db.value()->finish_cybertip(id, report_id) : db.status();
    if (!st.ok())
      std::fprintf(stderr, "chainbreak: case %lld: cybertip claim: %s\n", static_cast<long long>(id),
                   st.message().c_str());
  };
  auto submit_case = [settle](Api::Impl& api, Ctx& ctx, int64_t id, const ct::CaseReportOut& out, http::Response& res) {
    const ct::ClientOptions& co = *api.options.cybertip;
    const std::string target = "case:" + std::to_string(id);
    // Audit first: nothing leaves the building unrecorded.
    if (!api.audit(ctx, res, "case.cybertip_submit", target,
                   {{"service", co.base_url}, {"evidence", evidence_ids(out)}})) {
      settle(api, id, "");
      return;
    }
    Status local = Status::Ok();  // why a file could not be read from the vault
    std::vector<ct::FileSource> files;
    for (const ct::CaseFile& f : out.files) {
      files.push_back(
          {f.details.file_name, f.details, [&api, &ctx, &local, eid = f.evidence_id]() -> Result<std::string> {
             // Decrypted in memory only; audited as "evidence.export".
             auto ev = api.cases->export_evidence(eid, ctx.who.name, kRecipient);
             if (!ev.ok()) {
               local = ev.status();
               return ev.status();
             }
             return std::move(ev.value().bytes);
           }});
    }
    ct::Client client(co);
    auto up = client.status();  // reachable, and the credentials work, before anything is filed
    Result<ct::SubmitOutcome> sent =
        up.ok() ? ct::submit_sources(client, out.report, files) : Result<ct::SubmitOutcome>(up.status());
    http::Response scratch;  // the outcome's audit entry must not replace the answer
    settle(api, id, sent.ok() ? sent.value().report_id : "");
    if (!sent.ok()) {
      const std::string m = sent.status().message();
      (void)api.audit(ctx, scratch, "case.cybertip_submit.failed", target, {{"error", m}});
      if (!local.ok() && local.code() == ErrorCode::kInvalidInput) {
        http::json_error(res, 409, "evidence_unavailable", m, "evidence");  // purged
      } else if (!local.ok()) {
        http::json_error(res, 503, "unavailable", m);
      } else {
        http::json_error(res, 502, "cybertip_failed", "CyberTipline: " + m);
      }
      return;
    }
    Json fs = Json::array();
    for (size_t i = 0; i < sent.value().files.size() && i < out.files.size(); ++i) {
      fs.push_back({{"evidence_id", out.files[i].evidence_id},
                    {"file_id", sent.value().files[i].file_id},
                    {"md5", sent.value().files[i].hash}});
    }
    Json answer = {{"report_id", sent.value().report_id}, {"files", fs}};
    if (!api.audit(ctx, scratch, "case.cybertip_submitted", target, answer)) {
      // The report is filed: say so, so that nobody files it twice.
      answer["warning"] = "the report was submitted but its audit entry could not be written";
    }
    send_json(res, 200, answer);
  };

  route("GET", "/v1/cases/{id}/cybertip", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          if (!reporter_configured(options, res)) return;
          auto out = build(*cases, options, id, res);
          if (!out) return;
          auto xml = ct::case_report_xml(id, *out);
          if (!xml.ok()) return http::json_error(res, 409, "not_reportable", xml.status().message(), "case");
          // Every export is an audit entry; no entry, no export.
          if (!audit(ctx, res, "case.cybertip_export", "case:" + std::to_string(id),
                     {{"format", "cybertip-xml"}, {"evidence", evidence_ids(*out)}}))
            return;
          res.status = 200;
          res.content_type = "application/xml";
          res.body = std::move(xml).value();
          res.headers.emplace_back("Cache-Control", "no-store");
          res.headers.emplace_back("Content-Disposition",
                                   "attachment; filename=\"case-" + std::to_string(id) + "-cybertip.xml\"");
        });

  route("POST", "/v1/cases/{id}/cybertip/submit", store::kRoleReviewer,
        [this, submit_case, settle](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          if (!reporter_configured(options, res)) return;
          if (!options.cybertip) {
            return http::json_error(res, 409, "not_configured",
                                    "no CyberTipline service is configured: start chainbreak serve with "
                                    "--cybertip-url, --cybertip-user and --cybertip-password-file",
                                    "cybertip");
          }
          auto out = build(*cases, options, id, res);
          if (!out) return;
          // One report per case: claim it, so that two reviewers (or one
          // after a reload) never file the same case twice.
          const bool retake = req.query_param("retake").value_or("") == "true";
          auto db = cases->store();
          if (!db.ok()) return send_status(res, db.status());
          auto claimed = db.value()->claim_cybertip(id, retake);
          if (!claimed.ok()) return send_status(res, claimed.status(), "case");
          if (!claimed.value()) {
            auto c = db.value()->get_case(id);
            const std::string filed = c.ok() && c.value() ? c.value()->cybertip_report : "";
            if (filed == "pending") {
              return http::json_error(res, 409, "submission_pending",
                                      "a CyberTipline submission of this case is running or was interrupted; if "
                                      "NCMEC has no report for it, retry with ?retake=true",
                                      "case");
            }
            return http::json_error(res, 409, "already_submitted",
                                    "this case was already reported to NCMEC (report " + filed + ")", "case");
          }
          if (!reserve_background(res)) return settle(*this, id, "");
          // The submission waits on NCMEC's service (every request up to the
          // client's timeout): off the I/O thread, answered through defer.
          res.defer = [this, submit_case, who = ctx, id, out = std::move(*out),
                       &res](std::function<void()> resume) mutable {
            run_background([this, submit_case, who = std::move(who), id, out = std::move(out), &res,
                            resume = std::move(resume)]() mutable {
              submit_case(*this, who, id, out, res);
              resume();
            });
          };
        });
}

}  // namespace chainbreak::api
