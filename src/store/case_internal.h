// Shared by the CaseStore backends (sqlite_cases.cc, postgres_cases.cc):
// validation and the schema's column lists. Internal to src/store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/case_store.h"

namespace chainbreak::store::internal {

// kInvalidInput naming "reports[i].<field>" for a report intake() refuses.
Status check_report(const NewReport& r, size_t i);
// kInvalidInput naming the field of a partner create_partner() refuses.
Status check_partner(const Partner& p);
// kInvalidInput naming the field ("to", "assessment", "partner", "note",
// "actor") when c may not move as asked (the partner's existence is the
// backend's check).
Status check_transition(const Case& c, const TransitionRequest& req, std::string_view actor);
// Ok for "" or two ASCII letters; else kInvalidInput "country: ...".
Status check_country(std::string_view c);
// Ok for a non-zero mask of kRedact* bits; else kInvalidInput "fields: ...".
Status check_redaction(uint32_t mask);
// Two letters uppercased.
std::string upper2(std::string_view c);
// The reporter-facing status of a case state (docs/CASES.md).
std::string reporter_status(CaseState s);

// Columns of cases, in the order the backends read them.
#define CASE_COLS                                                                                            \
  "id, created_us, updated_us, state, assessment, source, category, country, url_key, live_harm, severity, " \
  "report_count, partner_id, decision_id, notice_deadline_us, assessed_us, referred_us, notice_us, "         \
  "removed_us, closed_us, cybertip_report"
#define CASE_REPORT_COLS                                                                         \
  "id, case_id, created_us, category, country, url, description, language, contact, live_harm, " \
  "contact_withdrawn, file_md5, file_sha256, file_pdq, media_type, evidence_id, redacted"
#define CASE_TRANSITION_COLS "id, case_id, time_us, actor, from_state, to_state, assessment, note, partner_id"
#define PARTNER_COLS "id, country, name, kind, contact, deadline_hours"
// The queue's order: live harm, severity, reports, age.
#define CASE_QUEUE_ORDER "live_harm DESC, severity DESC, report_count DESC, created_us, id"

Result<std::unique_ptr<CaseStore>> open_sqlite_cases(const std::string& path);
Result<std::unique_ptr<CaseStore>> open_postgres_cases(const std::string& conninfo);

}  // namespace chainbreak::store::internal
