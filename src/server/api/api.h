// The service's HTTP API: /v1 (chainbreak's own, documented in
// docs/openapi.json, served at /v1/openapi.json), the HMA 2.0 compatible
// routes (/h, /m, /c, /status; see docs/HMA.md), health, readiness and
// Prometheus metrics. A thin adapter: it parses and validates requests,
// checks roles, calls the pipeline/engine and the stores, audit-logs every
// administrative write (banks, entries, rules, tokens) and every read of
// decisions or of the audit log, and formats JSON. Automated decisions are
// their own append-only record (decision records), not audit entries.
// No business logic here.
//
// Errors: every bad input is a 4xx JSON error naming the field
// ({"error":{"code","message","field"}}); store failures are 503
// ("unavailable"); nothing throws out of a handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pipeline/auth.h"
#include "pipeline/engine.h"
#include "reports/cybertip_client.h"
#include "server/http/http.h"
#include "signals/pdq_file.h"

namespace chainbreak::payments {
class PaymentState;
}

namespace chainbreak::api {

class CaseDesk;

struct ApiOptions {
  uint32_t anonymous_roles = 0;  // roles granted to requests without a token
  size_t max_batch = 1000;       // signals per batch lookup
  size_t max_upload_bytes = 64u << 20;
  signals::PdqOptions pdq;  // how uploads are hashed
  std::string server_version = "chainbreak";
  // Payment screening (/v1/payments); nullptr: those routes answer 503.
  // Not owned; outlives the Api.
  payments::PaymentState* payments = nullptr;
  // Public reports and cases (/v1/reports, /v1/cases, the portal and
  // console pages); nullptr: those routes answer 503. Not owned.
  CaseDesk* cases = nullptr;
  // Reports to NCMEC built from cases (GET /v1/cases/{id}/cybertip, POST
  // .../cybertip/submit; docs/CASES.md): who files them (without an e-mail
  // those routes answer 409), and the CyberTipline service to submit to
  // (nullopt: submission answers 409).
  reports::cybertip::Reporter reporter;
  std::optional<reports::cybertip::ClientOptions> cybertip;
};

class Api {
 public:
  Api(pipeline::Engine& engine, ApiOptions options);
  ~Api();
  // The handler to give http::HttpServer: routes, authenticates, counts.
  void handle(http::Request& req, http::Response& res);
  // Waits until the work some requests run on threads of their own
  // (CyberTipline submissions) has answered, and refuses new such work
  // (503) from then on. Call before stopping the HTTP server: a response
  // deferred past its shutdown could not be sent. The destructor drains too.
  void drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chainbreak::api
