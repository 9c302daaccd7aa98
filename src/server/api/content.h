// Uploaded content: where the bytes are in a request, and its signals.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "pipeline/engine.h"
#include "pipeline/pipeline.h"
#include "server/http/http.h"
#include "signals/pdq_file.h"
#include "store/case_store.h"

namespace chainbreak::api {

// The uploaded bytes: the first file part (or a part named photo, content,
// file or image) of a multipart/form-data body, else the raw body. Views
// into req.body. On error sets a 4xx on res (empty upload, bad multipart,
// over max_bytes) and returns nullopt.
std::optional<std::string_view> upload_bytes(const http::Request& req, http::Response& res, size_t max_bytes);

// PDQ (with quality), md5, sha1 and sha256 of an image. Errors: the
// decoder's (kInvalidInput/kUnsupported) for content that is not an image
// we can decode.
Result<std::vector<pipeline::Signal>> hash_content(std::string_view bytes, const signals::PdqOptions& options);

// Matches one signal (PDQ through the index, digests exactly).
Result<std::vector<banks::Match>> lookup_one(pipeline::Engine& engine, const pipeline::Signal& s,
                                             std::span<const std::string> banks, std::optional<int> threshold);

// classification_severity of the gravest match that may act: not on an
// allowlist, not suppressed by one, not in a quarantined bank (0: none).
int gravest_severity(const pipeline::ContentResult& r);

// The case report standing for an automated decision that asked for a case
// (a rule with the "case" action): category csam, the content's MD5,
// SHA-256 and PDQ (so that public reports of the same picture join its
// case), the gravest severity, and a receipt hash derived from the decision
// id (nobody holds a receipt for it, and one decision is one report).
store::NewReport detection_report(const pipeline::ContentResult& r, int64_t decision_id);

}  // namespace chainbreak::api
