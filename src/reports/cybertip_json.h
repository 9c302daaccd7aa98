// report.json: the JSON mirror of the CyberTipline model that
// `chainbreak report cybertip --input` reads (documented field by field in
// docs/FORMATS.md). Keys are the XML element names; repeated elements are
// arrays; booleans are JSON booleans. Unknown keys are refused, so a typo
// never silently drops a field.
//
// Pure; thread-safe. Errors: kInvalidInput whose message starts with the
// JSON path ("report.incidentSummary.incidentType: must be a string",
// "files[2].fileViewedByEsp: must be true or false"). Only the shape is
// checked here; validate() in cybertip.h checks the values.
#pragma once

#include <string_view>
#include <vector>

#include "reports/cybertip.h"
#include "reports/cybertip_client.h"

namespace chainbreak::reports::cybertip {

struct ReportInput {
  Report report;
  std::vector<FileToSend> files;  // path may be empty (given on the command line)
};

Result<ReportInput> parse_report_json(std::string_view json);

}  // namespace chainbreak::reports::cybertip
