// A CyberTipline report built from a case (store/case_store.h): the same
// records the hotline reviewed become the report to NCMEC, so nothing is
// typed twice. Pure function of its inputs; no I/O.
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
#pragma once

#include <cstdint>
#include <set>
#include <span>
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

}  // namespace chainbreak::reports::cybertip
