// Durable state of the hotline side (docs/CASES.md): public reports, the
// cases they join, every state transition, the routing table of partner
// hotlines and authorities, and reviewers' reveals of evidence. Same two
// implementations and conventions as service_store.h (SQLite file, or
// PostgreSQL shared by replicas); open it on the same location as the
// ServiceStore: the tables live beside the audit log.
//
// Privacy: a report row holds no IP address or client fingerprint (the
// interface has no field for one); the reporter's receipt code is stored
// only as its SHA-256 (receipt_hash); contact details can be cleared.
//
// Thread-safety: one CaseStore object per thread at a time; safe across
// processes and replicas (every write is one transaction).
// Errors: Status/Result, kInvalidInput naming the field for bad arguments
// ("reports[3].category: ..."), kIo for database failures; never an
// exception.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace chainbreak::store {

enum class CaseState : uint8_t { kNew, kTriage, kAssessed, kReferred, kNoticeSent, kRemoved, kClosed };
// "new", "triage", "assessed", "referred", "notice_sent", "removed", "closed".
const char* case_state_name(CaseState s);
std::optional<CaseState> parse_case_state(std::string_view name);
// Whether a case may move from -> to (docs/CASES.md): one step forward
// along new, triage, assessed, referred, notice_sent, removed, closed;
// assessed -> closed; anything but closed -> closed.
bool case_transition_allowed(CaseState from, CaseState to);
// Assessments: "illegal_baseline", "illegal_national", "not_illegal",
// "false_positive".
bool valid_assessment(std::string_view a);
// Report categories: "csam", "grooming", "sextortion", "trafficking", "other".
bool valid_report_category(std::string_view c);
// Classification severity for the queue: A1 4, A2 3, B1 2, B2 1, else 0.
int classification_severity(std::string_view classification);
// The de-duplication key of a URL: scheme and host lowercased, default
// port, fragment and a trailing '/' dropped, "www." kept. "" when the URL
// is not http(s) with a host.
std::string normalise_url(std::string_view url);

struct Case {
  int64_t id = 0;
  int64_t created_us = 0, updated_us = 0;
  CaseState state = CaseState::kNew;
  std::string assessment;  // "" until assessed
  std::string source;      // "report" or "pipeline"
  std::string category;    // of the first report, or "csam" for pipeline matches
  std::string country;     // hosting/seen country (ISO alpha-2) or ""
  std::string url_key;     // normalise_url() of the reported URL, or ""
  bool live_harm = false;
  int severity = 0;  // classification_severity of the gravest match
  int64_t report_count = 0;
  int64_t partner_id = 0;   // routed to (0: not yet)
  int64_t decision_id = 0;  // the pipeline decision that opened it (0: none)
  int64_t notice_deadline_us = 0;
  // When each milestone was reached (0: not yet), for time-to-x figures.
  int64_t assessed_us = 0, referred_us = 0, notice_us = 0, removed_us = 0, closed_us = 0;
  // The NCMEC CyberTipline report filed for this case: "" none, "pending"
  // while a submission runs (or after one was interrupted), else its id.
  std::string cybertip_report;
};

// One public report, as given to intake().
struct NewReport {
  std::string receipt_hash;  // 64 lowercase hex: SHA-256 of the receipt code
  std::string category;      // valid_report_category
  std::string country;       // "" or two ASCII letters (uppercased by the store)
  std::string url;           // "" or http(s)://..., at most 2048 bytes
  std::string description;   // at most 20000 bytes (5000 characters)
  std::string language;      // "" or a language tag, at most 16 bytes
  std::string contact;       // "" or at most 256 bytes
  bool live_harm = false;
  // The uploaded file's hashes ("" when none): hex.
  std::string file_md5, file_sha256, file_pdq;
  std::string media_type;  // of the file, or ""
  // The uploaded file in the evidence vault (0: none), see
  // src/custody/vault.h.
  int64_t evidence_id = 0;
  // Join this case when it is still open (0, or a case closed meanwhile:
  // by URL, then by file hash, else a new case). Used for PDQ
  // near-duplicates found in memory (api::CaseDesk).
  int64_t join_case = 0;
  // classification_severity of the gravest bank match of the file (0: none);
  // the case's severity becomes the highest of its reports'.
  int severity = 0;
  // The automated decision this report stands for (0: a public report). A
  // case opened by one has source "pipeline" and this decision_id.
  int64_t decision_id = 0;
};

// The checks intake() makes on one report, without a database: Ok, or
// kInvalidInput naming "reports[0].<field>".
Status validate_report(const NewReport& r);

struct CaseReport {
  int64_t id = 0, case_id = 0, created_us = 0;
  std::string category, country, url, description, language, contact;
  bool live_harm = false;
  bool contact_withdrawn = false;
  uint32_t redacted = 0;  // kRedact* bits: fields cleared by a reviewer
  std::string file_md5, file_sha256, file_pdq, media_type;
  int64_t evidence_id = 0;  // the encrypted file in the evidence vault (0: none)
};

// Fields of a report that can be redacted (bits of CaseReport::redacted).
enum : uint32_t { kRedactDescription = 1u << 0, kRedactContact = 1u << 1 };

struct IntakeResult {
  int64_t report_id = 0, case_id = 0;
  bool new_case = false;
};

struct CaseTransition {
  int64_t id = 0, case_id = 0, time_us = 0;
  std::string actor;
  CaseState from = CaseState::kNew, to = CaseState::kNew;
  std::string assessment, note;
  int64_t partner_id = 0;
};

struct TransitionRequest {
  CaseState to = CaseState::kTriage;
  std::string assessment;  // required when to == kAssessed
  int64_t partner_id = 0;  // required when to == kReferred (must exist)
  std::string note;        // at most 2000 bytes
};

struct Partner {
  int64_t id = 0;
  std::string country;      // ISO alpha-2, uppercased
  std::string name;         // unique, 1..128 bytes
  std::string kind;         // "hotline" or "authority"
  std::string contact;      // 1..256 bytes
  int deadline_hours = 48;  // 1..2160
};

// What a reporter may know: a coarse status, no assessment details.
struct ReportStatus {
  std::string status;  // "received", "assessed", "action_taken", "closed"
  int64_t received_us = 0, updated_us = 0;
};

struct Exposure {
  int64_t reveals = 0;
  int64_t duration_ms = 0;
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // Stores every report in ONE transaction (the group commit of the intake
  // path): each joins the open case join_case names, else an open case with
  // the same URL key or the same file SHA-256/MD5, else opens a new case
  // (state new; source "pipeline" when decision_id is set); the case's
  // report count, live-harm flag, severity (the highest) and updated time
  // follow. All or nothing: kInvalidInput
  // naming "reports[i].<field>" stores none. Results in input order.
  virtual Result<std::vector<IntakeResult>> intake(std::span<const NewReport> reports) = 0;
  // Attaches an evidence-vault item to a report. kInvalidInput when unknown.
  virtual Status set_report_evidence(int64_t report_id, int64_t evidence_id) = 0;

  // By receipt hash; nullopt when unknown.
  virtual Result<std::optional<ReportStatus>> report_status(std::string_view receipt_hash) = 0;
  // Clears the contact of the report with this receipt hash; false when
  // unknown (nothing changed).
  virtual Result<bool> withdraw_contact(std::string_view receipt_hash) = 0;

  // Clears personal data from a report of the case (the kRedact* fields in
  // mask, non-zero) and records which; the data is gone from the row (the
  // audit entry the API writes names the fields, never their content).
  // kInvalidInput: mask 0 or unknown bits ("fields"), no such report in
  // the case ("report").
  virtual Status redact_report(int64_t case_id, int64_t report_id, uint32_t mask) = 0;

  // The queue: cases in state (all but closed when nullopt), live harm
  // first, then severity, report count, age. limit 1..1000.
  virtual Result<std::vector<Case>> queue(std::optional<CaseState> state, int64_t limit) = 0;
  virtual Result<std::optional<Case>> get_case(int64_t id) = 0;
  virtual Result<std::vector<CaseReport>> reports_of(int64_t case_id) = 0;
  virtual Result<std::vector<CaseTransition>> transitions_of(int64_t case_id) = 0;
  // Moves a case, recording who and when, and the milestone time; a
  // referral sets the partner and the notice deadline (now + the partner's
  // deadline_hours). kInvalidInput: unknown case ("case"), a transition
  // not allowed ("to"), a missing or bad assessment ("assessment"), an
  // unknown partner ("partner"), a long note ("note"). Returns the case as
  // it is now.
  virtual Result<Case> transition(int64_t case_id, const TransitionRequest& req, std::string_view actor) = 0;

  // Routing table. create: kInvalidInput naming the field, or a duplicate
  // name. list: by country, then name.
  virtual Result<Partner> create_partner(const Partner& p) = 0;
  virtual Result<std::vector<Partner>> list_partners() = 0;

  // Reviewer wellbeing: one reveal of an evidence item (duration_ms
  // 0..3,600,000), and the reveals of a reviewer between two times.
  virtual Status add_reveal(std::string_view reviewer, int64_t case_id, int64_t evidence_id, int64_t duration_ms) = 0;
  virtual Result<Exposure> exposure(std::string_view reviewer, int64_t from_us, int64_t to_us) = 0;

  // The PDQ hashes (64 hex) of files reported in open cases, with their
  // case ids, for the in-memory near-duplicate search; at most limit rows,
  // newest first.
  virtual Result<std::vector<std::pair<int64_t, std::string>>> open_case_pdqs(int64_t limit) = 0;

  // The evidence ids of case_id that a reviewer revealed at least once
  // (add_reveal), ascending, each once; empty for an unknown case or one
  // without reveals. For fileViewedByEsp in reports to authorities.
  virtual Result<std::vector<int64_t>> revealed_evidence(int64_t case_id) = 0;

  // One CyberTipline report per case: claim_cybertip marks the case
  // "pending" and returns true when nothing was filed or is being filed
  // (also over an interrupted "pending" when retake_pending), false
  // otherwise (nothing changed); finish_cybertip then records the report
  // id, or "" to release the claim after a failed submission. Errors:
  // kInvalidInput "case: ..." for an unknown case.
  virtual Result<bool> claim_cybertip(int64_t case_id, bool retake_pending) = 0;
  virtual Status finish_cybertip(int64_t case_id, std::string_view report_id) = 0;
};

// Same location rules as open_service_store.
Result<std::unique_ptr<CaseStore>> open_case_store(const std::string& location);

}  // namespace chainbreak::store
