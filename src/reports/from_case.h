// A CyberTipline report built from a case (store/case_store.h): the same
// records the hotline reviewed become the report to NCMEC, so nothing is
// typed twice.
//
// Mapping (docs/FORMATS.md, "CyberTipline from a case"):
//   category csam -> "Child Pornography (possession, manufacture, and
//   distribution)"; grooming -> "Online Enticement of Children for Sexual
//   Acts"; sextortion -> the same with the sextortion annotation;
//   trafficking -> "Child Sex Trafficking"; other -> not reportable.
//   live harm -> escalateToHighPriority with the reason; the first
//   report's time -> incidentDateTime; the case URL and the reports' URLs
//   -> one webPageIncident; each report with an evidence item -> one file
//   (Reported, original MD5 and SHA-256, fileViewedByEsp = a reviewer
//   revealed it, publiclyAvailable = it was reported at a public URL,
//   industryClassification from the severity of a pipeline match).
// Only cases assessed illegal (baseline or national) are reported.
// report_from_case, case_reporter and case_report_xml are pure functions
// of their inputs; load_case_report reads a CaseStore.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "reports/cybertip.h"
#include "store/case_store.h"
#include "util/result.h"

namespace chainbreak::reports::cybertip {

struct CaseFile {
  int64_t evidence_id = 0;  // the vault item to upload with this file
  FileDetails details;      // report_id and file_id are filled in by the client
};
struct CaseReportOut {
  Report report;
  std::vector<CaseFile> files;
};

// reporter: who files (the hotline or platform; at least one e-mail).
// revealed: evidence ids a reviewer revealed (fileViewedByEsp). Errors:
// kInvalidInput "case: ..." for a case not assessed illegal or of category
// other, and validate()'s errors for a reporter that does not validate.
Result<CaseReportOut> report_from_case(const store::Case& c, std::span<const store::CaseReport> reports,
                                       const Reporter& reporter, const std::set<int64_t>& revealed);

// The reporter of reports from cases (the hotline or platform): name split
// at its last space into firstName and lastName (one word: lastName only),
// the e-mail, and the phone when not empty. Not validated here.
Reporter case_reporter(std::string_view name, std::string_view email, std::string_view phone);

// Reads case_id, its reports and the evidence revealed in it
// (CaseStore::revealed_evidence) from db and builds its report. nullopt
// for an unknown case. Errors: db's (kIo), and report_from_case's.
Result<std::optional<CaseReportOut>> load_case_report(store::CaseStore& db, int64_t case_id, const Reporter& reporter);

// The export of a case's report for people to read and keep (GET
// /v1/cases/{id}/cybertip, `chainbreak report cybertip --case`).
// chainbreak's own wrapper, not a CyberTipline document:
//   <?xml version="1.0" encoding="UTF-8"?>
//   <cybertipCase caseId="12">
//   <report ...>...</report>                       as POST /submit receives it
//   <fileDetails evidenceId="7">...</fileDetails>  one per file, as /fileinfo
//                                                  receives it, without the
//                                                  reportId and fileId
//   </cybertipCase>
// Returns the document; errors: report_xml's and file_details_xml's.
Result<std::string> case_report_xml(int64_t case_id, const CaseReportOut& out);

}  // namespace chainbreak::reports::cybertip
