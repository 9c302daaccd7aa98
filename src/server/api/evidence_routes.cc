// Legal holds on a case's evidence: a hold keeps an item's bytes past its
// retention and past a case closed as not illegal, until it is released
// (docs/CASES.md, "Evidence"). Every change is an audited
// "evidence.legal_hold" (written by the vault before the row changes).
#include <algorithm>

#include "server/api/api_internal.h"
#include "server/api/case_desk.h"

namespace chainbreak::api {

bool Api::Impl::evidence_of_case(int64_t id, int64_t eid, http::Response& res) {
  auto db = cases->store();
  if (!db.ok()) return send_status(res, db.status()), false;
  auto reports = db.value()->reports_of(id);
  if (!reports.ok()) return send_status(res, reports.status()), false;
  if (std::none_of(reports.value().begin(), reports.value().end(),
                   [eid](const store::CaseReport& r) { return r.evidence_id == eid; })) {
    http::json_error(res, 404, "not_found", "case " + std::to_string(id) + " has no evidence " + std::to_string(eid),
                     "eid");
    return false;
  }
  return true;
}

void Api::Impl::add_evidence_routes() {
  route("POST", "/v1/cases/{id}/evidence/{eid}/legal-hold", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          const int64_t eid = path_id(req, res, "eid");
          if (eid == 0) return;
          auto body = parse_body(req, res);
          if (!body) return;
          if (!body->contains("hold") || !(*body)["hold"].is_boolean()) {
            return http::json_error(res, 400, "invalid_field", "hold must be true or false", "hold");
          }
          const bool hold = (*body)["hold"].get<bool>();
          if (!evidence_of_case(id, eid, res)) return;
          Status st = cases->set_legal_hold(eid, hold, ctx.who.name);
          if (st.code() == ErrorCode::kInvalidInput) {
            return http::json_error(res, 410, "gone", st.message(), "eid");  // purged: nothing left to hold
          }
          if (!st.ok()) return send_status(res, st);
          send_json(res, 200, {{"evidence_id", eid}, {"legal_hold", hold}});
        });
}

}  // namespace chainbreak::api
