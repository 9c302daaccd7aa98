// The review console's routes: the case queue, one case (an audited read),
// transitions (audited decisions), reveals of evidence and the reviewer's
// daily exposure, and the routing table of partners. See docs/CASES.md.
#include <algorithm>
#include <ctime>

#include "server/api/api_internal.h"
#include "server/api/case_desk.h"

namespace chainbreak::api {

namespace {

constexpr uint32_t kReadCases = store::kRoleReviewer | store::kRoleAuditor;

Json case_json(const store::Case& c) {
  auto secs = [&](int64_t us) -> Json {
    if (us <= 0) return nullptr;
    return static_cast<double>(us - c.created_us) / 1e6;
  };
  return {{"id", c.id},
          {"state", store::case_state_name(c.state)},
          {"assessment", c.assessment},
          {"source", c.source},
          {"category", c.category},
          {"country", c.country},
          {"url", c.url_key},
          {"live_harm", c.live_harm},
          {"severity", c.severity},
          {"report_count", c.report_count},
          {"partner_id", c.partner_id},
          {"decision_id", c.decision_id},
          {"created_at", iso_utc(c.created_us)},
          {"updated_at", iso_utc(c.updated_us)},
          {"notice_deadline", iso_utc(c.notice_deadline_us)},
          {"assessed_at", iso_utc(c.assessed_us)},
          {"referred_at", iso_utc(c.referred_us)},
          {"notice_at", iso_utc(c.notice_us)},
          {"removed_at", iso_utc(c.removed_us)},
          {"closed_at", iso_utc(c.closed_us)},
          {"cybertip_report", c.cybertip_report.empty() ? Json(nullptr) : Json(c.cybertip_report)},
          {"seconds_to",
           {{"assessment", secs(c.assessed_us)}, {"notice", secs(c.notice_us)}, {"removal", secs(c.removed_us)}}}};
}

Json partner_json(const store::Partner& p) {
  return {{"id", p.id},     {"country", p.country}, {"name", p.name},
          {"kind", p.kind}, {"contact", p.contact}, {"deadline_hours", p.deadline_hours}};
}

Json redacted_names(uint32_t mask) {
  Json a = Json::array();
  if (mask & store::kRedactDescription) a.push_back("description");
  if (mask & store::kRedactContact) a.push_back("contact");
  return a;
}

// Start of today (UTC) in unix microseconds.
int64_t today_us() {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  return (now - now % 86400) * 1'000'000;
}

}  // namespace

void Api::Impl::add_console_routes() {
  route("GET", "/v1/cases", kReadCases, [this](Ctx&, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    std::optional<store::CaseState> state;
    if (auto s = req.query_param("state"); s && !s->empty()) {
      state = store::parse_case_state(*s);
      if (!state) return http::json_error(res, 400, "invalid_parameter", "unknown case state", "state");
    }
    int64_t limit = 100;
    if (!query_int(req, res, "limit", 1, 1000, &limit)) return;
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    auto q = db.value()->queue(state, limit);
    if (!q.ok()) return send_status(res, q.status());
    Json a = Json::array();
    for (const auto& c : q.value()) a.push_back(case_json(c));
    send_json(res, 200, {{"cases", a}});
  });

  route("GET", "/v1/cases/{id}", kReadCases, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    const int64_t id = path_id(req, res, "id");
    if (id == 0) return;
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    auto c = db.value()->get_case(id);
    if (!c.ok()) return send_status(res, c.status());
    if (!c.value()) return http::json_error(res, 404, "not_found", "no case " + std::to_string(id), "id");
    const bool with_contact = req.query_param("contact").value_or("") == "true";
    if (!audit(ctx, res, "case.read", "case:" + std::to_string(id), {{"contact", with_contact}})) return;
    auto reports = db.value()->reports_of(id);
    auto moves = db.value()->transitions_of(id);
    auto partners = db.value()->list_partners();
    if (!reports.ok()) return send_status(res, reports.status());
    if (!moves.ok()) return send_status(res, moves.status());
    if (!partners.ok()) return send_status(res, partners.status());
    Json j = case_json(*c.value());
    Json rs = Json::array(), evidence = Json::array();
    for (const auto& r : reports.value()) {
      Json x = {{"id", r.id},
                {"received_at", iso_utc(r.created_us)},
                {"category", r.category},
                {"country", r.country},
                {"url", r.url},
                {"description", r.description},
                {"language", r.language},
                {"live_harm", r.live_harm},
                {"has_contact", !r.contact.empty()},
                {"contact_withdrawn", r.contact_withdrawn},
                {"redacted", redacted_names(r.redacted)},
                {"file",
                 {{"md5", r.file_md5}, {"sha256", r.file_sha256}, {"pdq", r.file_pdq}, {"media_type", r.media_type}}}};
      if (with_contact) x["contact"] = r.contact;
      rs.push_back(std::move(x));
      if (r.evidence_id > 0) {
        evidence.push_back({{"id", r.evidence_id},
                            {"report_id", r.id},
                            {"media_type", r.media_type},
                            {"sha256", r.file_sha256},
                            {"md5", r.file_md5}});
      }
    }
    Json ts = Json::array();
    for (const auto& t : moves.value()) {
      ts.push_back({{"time", iso_utc(t.time_us)},
                    {"actor", t.actor},
                    {"from", store::case_state_name(t.from)},
                    {"to", store::case_state_name(t.to)},
                    {"assessment", t.assessment},
                    {"partner_id", t.partner_id},
                    {"note", t.note}});
    }
    // Suggested routes: partners in the case's country first.
    Json routes = Json::array();
    for (const auto& p : partners.value()) {
      if (!c.value()->country.empty() && p.country == c.value()->country) routes.push_back(partner_json(p));
    }
    j["reports"] = std::move(rs);
    j["transitions"] = std::move(ts);
    // Where each item stands in the vault: kept until, held, or purged.
    std::vector<int64_t> eids;
    for (const auto& e : evidence) eids.push_back(e["id"].get<int64_t>());
    if (auto rows = cases->evidence_records(eids); rows.ok()) {
      for (size_t k = 0; k < rows.value().size(); ++k) {
        const store::EvidenceRecord& rec = rows.value()[k];
        if (rec.id == 0) continue;
        evidence[k]["legal_hold"] = rec.legal_hold;
        evidence[k]["retain_until"] = iso_utc(rec.retain_until * 1'000'000);
        evidence[k]["purged"] = rec.purged_at != 0;
      }
    }
    j["evidence"] = std::move(evidence);
    j["suggested_partners"] = std::move(routes);
    send_json(res, 200, j);
  });

  route(
      "POST", "/v1/cases/{id}/transition", store::kRoleReviewer,
      [this](Ctx& ctx, http::Request& req, http::Response& res) {
        if (cases_off(res)) return;
        const int64_t id = path_id(req, res, "id");
        if (id == 0) return;
        auto body = parse_body(req, res);
        if (!body) return;
        store::TransitionRequest t;
        auto text = [&](const char* k, std::string* out) {
          if (!body->contains(k)) return true;
          if (!(*body)[k].is_string()) {
            http::json_error(res, 400, "invalid_field", std::string(k) + " must be a string", k);
            return false;
          }
          *out = (*body)[k].get<std::string>();
          return true;
        };
        std::string to;
        if (!text("to", &to) || !text("assessment", &t.assessment) || !text("note", &t.note)) return;
        auto st = store::parse_case_state(to);
        if (!st) return http::json_error(res, 400, "invalid_field", "to must be a case state", "to");
        t.to = *st;
        if (body->contains("partner")) {
          if (!(*body)["partner"].is_number_integer()) {
            return http::json_error(res, 400, "invalid_field", "partner must be a partner id", "partner");
          }
          t.partner_id = (*body)["partner"].get<int64_t>();
        }
        auto db = cases->store();
        if (!db.ok()) return send_status(res, db.status());
        Result<store::Case> moved = Status::Ok();
        Json detail = {{"to", to}, {"assessment", t.assessment}, {"partner", t.partner_id}};
        bool ok = audited(
            ctx, res, "case.transition", "case:" + std::to_string(id), detail,
            [&]() -> Status {
              moved = db.value()->transition(id, t, ctx.who.name);
              return moved.status();
            },
            "to");
        if (!ok) {
          // Name the field the store named ("case: ...", "partner: ...").
          if (!moved.ok() && moved.status().code() == ErrorCode::kInvalidInput) {
            const std::string m = moved.status().message();
            std::string field = m.substr(0, m.find(':'));
            int code = field == "case" ? 404 : 400;
            http::json_error(res, code, code == 404 ? "not_found" : "invalid_field", m, field == "case" ? "id" : field);
          }
          return;
        }
        Json out = case_json(moved.value());
        // Nothing illegal found: the case needs its files no more. Their
        // retention ends now and they are purged (a legal hold keeps them).
        const std::string& a = moved.value().assessment;
        if (moved.value().state == store::CaseState::kClosed && (a == "not_illegal" || a == "false_positive")) {
          std::vector<int64_t> ids;
          auto reports = db.value()->reports_of(id);
          if (reports.ok()) {
            for (const auto& r : reports.value()) {
              if (r.evidence_id != 0) ids.push_back(r.evidence_id);
            }
          }
          auto purged = reports.ok()
                            ? cases->release_evidence(ids, "case " + std::to_string(id) + " closed: " + a, ctx.who.name)
                            : Result<std::vector<int64_t>>(reports.status());
          // The transition stands; a failed purge is retried by the
          // hourly one (the retention was moved first).
          if (purged.ok()) {
            out["evidence_purged"] = purged.value();
          } else {
            out["evidence_purge_error"] = purged.status().message();
          }
        }
        send_json(res, 200, out);
      });

  // The evidence bytes, for the console (which shows them blurred until a
  // reviewer reveals them). Only items attached to the case; every view is
  // an audited "evidence.view" (by the vault).
  route("GET", "/v1/cases/{id}/evidence/{eid}", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          const int64_t eid = path_id(req, res, "eid");
          if (eid == 0) return;
          if (!evidence_of_case(id, eid, res)) return;
          auto ev = cases->read_evidence(eid, ctx.who.name);
          if (!ev.ok()) {
            if (ev.status().code() == ErrorCode::kInvalidInput) {
              return http::json_error(res, 410, "gone", ev.status().message(), "eid");  // purged
            }
            return http::json_error(res, 503, "unavailable",
                                    "evidence " + std::to_string(eid) + ": " + ev.status().message());
          }
          res.status = 200;
          res.content_type = ev.value().record.media_type;
          res.body = std::move(ev.value().bytes);
          res.headers.emplace_back("Cache-Control", "no-store");
          res.headers.emplace_back("X-Content-Type-Options", "nosniff");
          res.headers.emplace_back("Content-Disposition", "inline");
        });

  // Redaction of personal data from a report: the data leaves the row; the
  // audit entry names the fields and the reason, never the content, so the
  // chain stays intact and says what was done.
  route("POST", "/v1/cases/{id}/redact", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          auto body = parse_body(req, res);
          if (!body) return;
          if (!body->contains("report") || !(*body)["report"].is_number_integer()) {
            return http::json_error(res, 400, "invalid_field", "report must be a report id", "report");
          }
          const Json& f = body->value("fields", Json());
          uint32_t mask = 0;
          bool ok = f.is_array() && !f.empty();
          Json names = Json::array();
          for (const auto& x : ok ? f : Json::array()) {
            if (x == "description") {
              mask |= store::kRedactDescription;
            } else if (x == "contact") {
              mask |= store::kRedactContact;
            } else {
              ok = false;
            }
            names.push_back(x);
          }
          if (!ok) {
            return http::json_error(res, 400, "invalid_field", "fields must list description and/or contact", "fields");
          }
          std::string reason;
          if (body->contains("reason")) {
            if (!(*body)["reason"].is_string() || (*body)["reason"].get<std::string>().size() > 500) {
              return http::json_error(res, 400, "invalid_field", "reason must be a string of at most 500 bytes",
                                      "reason");
            }
            reason = (*body)["reason"].get<std::string>();
          }
          const int64_t report = (*body)["report"].get<int64_t>();
          auto db = cases->store();
          if (!db.ok()) return send_status(res, db.status());
          Status done = Status::Ok();
          if (!audited(ctx, res, "case.redact", "case:" + std::to_string(id),
                       {{"report", report}, {"fields", names}, {"reason", reason}}, [&] {
                         done = db.value()->redact_report(id, report, mask);
                         return done;
                       })) {
            if (done.code() == ErrorCode::kInvalidInput) {
              http::json_error(res, 404, "not_found", done.message(), "report");
            }
            return;
          }
          send_json(res, 200, {{"redacted", names}});
        });

  route("POST", "/v1/cases/{id}/reveal", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (cases_off(res)) return;
          const int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          auto body = parse_body(req, res);
          if (!body) return;
          for (const char* k : {"evidence_id", "duration_ms"}) {
            if (!body->contains(k) || !(*body)[k].is_number_integer()) {
              return http::json_error(res, 400, "invalid_field", std::string(k) + " must be an integer", k);
            }
          }
          const int64_t eid = (*body)["evidence_id"].get<int64_t>();
          const int64_t ms = (*body)["duration_ms"].get<int64_t>();
          auto db = cases->store();
          if (!db.ok()) return send_status(res, db.status());
          // Only evidence attached to this case can be revealed (and counted).
          auto reports = db.value()->reports_of(id);
          if (!reports.ok()) return send_status(res, reports.status());
          if (std::none_of(reports.value().begin(), reports.value().end(),
                           [eid](const store::CaseReport& r) { return r.evidence_id > 0 && r.evidence_id == eid; })) {
            return http::json_error(res, 404, "not_found",
                                    "case " + std::to_string(id) + " has no evidence " + std::to_string(eid),
                                    "evidence_id");
          }
          if (!audited(
                  ctx, res, "evidence.reveal", "evidence:" + std::to_string(eid), {{"case", id}, {"duration_ms", ms}},
                  [&] { return db.value()->add_reveal(ctx.who.name, id, eid, ms); }, "duration_ms")) {
            return;
          }
          send_json(res, 201, {{"logged", true}});
        });

  route("GET", "/v1/reviewers/me/exposure", kReadCases, [this](Ctx& ctx, http::Request&, http::Response& res) {
    if (cases_off(res)) return;
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    const int64_t from = today_us();
    auto e = db.value()->exposure(ctx.who.name, from, from + 86'400'000'000);
    if (!e.ok()) return send_status(res, e.status());
    send_json(res, 200,
              {{"reviewer", ctx.who.name},
               {"date", iso_utc(from).substr(0, 10)},
               {"reveals", e.value().reveals},
               {"seconds", static_cast<double>(e.value().duration_ms) / 1000.0}});
  });

  route("GET", "/v1/partners", kReadCases | store::kRoleCurator, [this](Ctx&, http::Request&, http::Response& res) {
    if (cases_off(res)) return;
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    auto ps = db.value()->list_partners();
    if (!ps.ok()) return send_status(res, ps.status());
    Json a = Json::array();
    for (const auto& p : ps.value()) a.push_back(partner_json(p));
    send_json(res, 200, {{"partners", a}});
  });

  route("POST", "/v1/partners", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    if (cases_off(res)) return;
    auto body = parse_body(req, res);
    if (!body) return;
    store::Partner p;
    const std::pair<const char*, std::string*> fields[] = {
        {"country", &p.country}, {"name", &p.name}, {"kind", &p.kind}, {"contact", &p.contact}};
    for (const auto& [k, out] : fields) {
      if (!body->contains(k) || !(*body)[k].is_string()) {
        return http::json_error(res, 400, "invalid_field", std::string(k) + " must be a string", k);
      }
      *out = (*body)[k].get<std::string>();
    }
    if (body->contains("deadline_hours")) {
      if (!(*body)["deadline_hours"].is_number_integer()) {
        return http::json_error(res, 400, "invalid_field", "deadline_hours must be an integer", "deadline_hours");
      }
      p.deadline_hours = static_cast<int>(std::clamp<int64_t>((*body)["deadline_hours"].get<int64_t>(), -1, 100000));
    }
    auto db = cases->store();
    if (!db.ok()) return send_status(res, db.status());
    Result<store::Partner> made = Status::Ok();
    if (!audited(ctx, res, "partner.create", "partner:" + p.name, partner_json(p), [&]() -> Status {
          made = db.value()->create_partner(p);
          return made.status();
        })) {
      if (!made.ok() && made.status().code() == ErrorCode::kInvalidInput) {
        const std::string m = made.status().message();
        http::json_error(res, m.find("already exists") != std::string::npos ? 409 : 400, "invalid_field", m,
                         m.substr(0, m.find(':')));
      }
      return;
    }
    send_json(res, 201, partner_json(made.value()));
  });

  add_case_report_routes();
  add_evidence_routes();
}

}  // namespace chainbreak::api
