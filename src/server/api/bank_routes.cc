// /v1/banks: create, list, show, update (settings, quarantine), delete, and
// the bank's entries: list, add (all or nothing), import a hash list.
#include <algorithm>

#include "lists/hash_list.h"
#include "server/api/api_internal.h"
#include "server/api/entry_json.h"

namespace chainbreak::api {

namespace {

constexpr uint32_t kReadBanks = store::kRoleMatcher | store::kRoleCurator | store::kRoleReviewer;

// Applies the JSON fields present in body to b; on a bad field sets a 400
// naming it and returns false.
bool apply_bank_fields(const Json& body, store::Bank* b, http::Response& res) {
  auto bad = [&res](const char* field, const char* what) {
    http::json_error(res, 400, "invalid_field", std::string(field) + " " + what, field);
    return false;
  };
  for (const auto& [k, v] : body.items()) {
    if (k == "name") {
      if (!v.is_string()) return bad("name", "must be a string");
      b->name = v.get<std::string>();
    } else if (k == "description") {
      if (!v.is_string()) return bad("description", "must be a string");
      b->description = v.get<std::string>();
    } else if (k == "allowlist") {
      if (!v.is_boolean()) return bad("allowlist", "must be true or false");
      b->allowlist = v.get<bool>();
    } else if (k == "enabled") {
      if (!v.is_boolean()) return bad("enabled", "must be true or false");
      b->enabled = v.get<bool>();
    } else if (k == "pdq_threshold") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 63) {
        return bad("pdq_threshold", "must be an integer from 0 to 63");
      }
      b->pdq_threshold = v.get<int>();
    } else if (k == "disabled_until") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) return bad("disabled_until", "must be unix seconds >= 0");
      b->disabled_until = v.get<int64_t>();
    } else if (k == "quarantined") {
      if (!v.is_boolean()) return bad("quarantined", "must be true or false");
      b->quarantined = v.get<bool>();
      if (!b->quarantined) b->quarantine_reason.clear();
    } else if (k == "quarantine_reason") {
      if (!v.is_string()) return bad("quarantine_reason", "must be a string");
      b->quarantine_reason = v.get<std::string>();
    } else {
      http::json_error(res, 400, "unknown_field", "unknown field '" + k + "'", k);
      return false;
    }
  }
  return true;
}

// The bank named by the {name} path parameter; nullopt with a 404 or 503
// set on res.
std::optional<store::Bank> named_bank(store::Store& st, const http::Request& req, http::Response& res) {
  auto b = st.find_bank(req.param("name"));
  if (!b.ok()) return send_status(res, b.status()), std::nullopt;
  if (!b.value()) {
    http::json_error(res, 404, "not_found", "no bank named '" + std::string(req.param("name")) + "'", "name");
    return std::nullopt;
  }
  return *b.value();
}

}  // namespace

Json bank_json(const store::Bank& b) {
  return {{"id", b.id},
          {"name", b.name},
          {"description", b.description},
          {"allowlist", b.allowlist},
          {"pdq_threshold", b.pdq_threshold},
          {"enabled", b.enabled},
          {"disabled_until", b.disabled_until},
          {"quarantined", b.quarantined},
          {"quarantine_reason", b.quarantine_reason},
          {"created_at", b.created_at}};
}

void Api::Impl::add_bank_routes() {
  route("GET", "/v1/banks", kReadBanks, [this](Ctx&, http::Request&, http::Response& res) {
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto banks = st.value()->list_banks();
    if (!banks.ok()) return send_status(res, banks.status());
    Json a = Json::array();
    for (const auto& b : banks.value()) a.push_back(bank_json(b));
    send_json(res, 200, {{"banks", a}});
  });

  route("POST", "/v1/banks", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    if (!body->contains("name")) return http::json_error(res, 400, "missing_field", "name is required", "name");
    store::Bank b;
    if (!apply_bank_fields(*body, &b, res)) return;
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    store::Bank created;
    if (!audited(
            ctx, res, "bank.create", "bank:" + b.name, *body,
            [&] {
              auto r = st.value()->create_bank(b);
              if (r.ok()) created = r.value();
              return r.status();
            },
            "name")) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 201, bank_json(created));
  });

  route("GET", "/v1/banks/{name}", kReadBanks, [this](Ctx&, http::Request& req, http::Response& res) {
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto b = named_bank(*st.value(), req, res);
    if (!b) return;
    Json j = bank_json(*b);
    auto n = st.value()->count_entries(b->id, false);
    if (n.ok()) j["entries"] = n.value();
    send_json(res, 200, j);
  });

  route("PATCH", "/v1/banks/{name}", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto found = named_bank(*st.value(), req, res);
    if (!found) return;
    store::Bank b = *found;
    bool was_quarantined = b.quarantined;
    if (!apply_bank_fields(*body, &b, res)) return;
    if (!audited(
            ctx, res, "bank.update", "bank:" + found->name, *body, [&] { return st.value()->update_bank(b); },
            "name")) {
      return;
    }
    if (was_quarantined && !b.quarantined) engine.reset_alarm(b.name);
    (void)engine.refresh();
    send_json(res, 200, bank_json(b));
  });

  route("DELETE", "/v1/banks/{name}", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto found = named_bank(*st.value(), req, res);
    if (!found) return;
    if (!audited(ctx, res, "bank.delete", "bank:" + found->name, Json::object(),
                 [&] { return st.value()->delete_bank(found->id); })) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 200, {{"deleted", found->name}});
  });

  route("GET", "/v1/banks/{name}/entries", kReadBanks, [this](Ctx&, http::Request& req, http::Response& res) {
    int64_t after = 0, limit = 100;
    if (!query_int(req, res, "after", 0, INT64_MAX / 2, &after) || !query_int(req, res, "limit", 1, 1000, &limit)) {
      return;
    }
    bool removed = false;
    if (auto v = req.query_param("include_removed")) {
      if (*v == "true" || *v == "1") {
        removed = true;
      } else if (*v != "false" && *v != "0") {
        return http::json_error(res, 400, "invalid_parameter", "include_removed must be true or false",
                                "include_removed");
      }
    }
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto b = named_bank(*st.value(), req, res);
    if (!b) return;
    Json a = Json::array();
    int64_t last = 0;
    Status s = st.value()->scan_entries(b->id, removed, [&](const store::Entry& e) {
      if (e.id <= after) return true;
      a.push_back(entry_json(e));
      last = e.id;
      return static_cast<int64_t>(a.size()) < limit;
    });
    if (!s.ok()) return send_status(res, s);
    Json out = {{"entries", a}};
    out["next_after"] = static_cast<int64_t>(a.size()) == limit ? Json(last) : Json(nullptr);
    send_json(res, 200, out);
  });

  route("POST", "/v1/banks/{name}/entries", store::kRoleCurator,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          auto body = parse_body(req, res);
          if (!body) return;
          if (!body->contains("entries") || !(*body)["entries"].is_array() || (*body)["entries"].empty()) {
            return http::json_error(res, 400, "invalid_field", "entries must be a non-empty array", "entries");
          }
          std::vector<store::Entry> entries;
          const Json& in = (*body)["entries"];
          if (in.size() > 100000) {
            return http::json_error(res, 413, "too_large", "at most 100000 entries per request (use /import for lists)",
                                    "entries");
          }
          for (size_t i = 0; i < in.size(); ++i) {
            store::Entry e;
            if (!entry_from_json(in[i], "entries[" + std::to_string(i) + "]", &e, res)) return;
            entries.push_back(std::move(e));
          }
          auto st = engine.store();
          if (!st.ok()) return send_status(res, st.status());
          auto b = named_bank(*st.value(), req, res);
          if (!b) return;
          std::vector<int64_t> ids;
          if (!audited(
                  ctx, res, "entries.add", "bank:" + b->name, {{"count", entries.size()}},
                  [&] {
                    auto r = st.value()->add_entries(b->id, entries);
                    if (r.ok()) ids = std::move(r.value());
                    return r.status();
                  },
                  "entries")) {
            return;
          }
          (void)engine.refresh();
          send_json(res, 201, {{"ids", ids}});
        });

  // Imports a hash list (the request body) in one of the list formats.
  // All or nothing: a malformed record is a 400 naming its line and field
  // and nothing is written.
  route("POST", "/v1/banks/{name}/import", store::kRoleCurator,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          auto format = lists::parse_format(req.query_param("format").value_or("plain"));
          if (!format) return http::json_error(res, 400, "invalid_parameter", "unknown list format", "format");
          auto type = store::parse_signal_type(req.query_param("signal_type").value_or("pdq"));
          if (!type) return http::json_error(res, 400, "invalid_parameter", "unknown signal_type", "signal_type");
          auto reader = lists::open_reader_from_memory(req.body, *format, *type);
          std::vector<store::Entry> adds;
          std::vector<std::string> deletions[5];
          std::vector<std::string> deleted_ids;
          lists::Record rec;
          lists::RecordError err;
          for (;;) {
            err.reason.clear();
            auto more = reader->next(&rec, &err);
            if (!more.ok()) return http::json_error(res, 400, "invalid_list", more.status().message(), "body");
            if (!more.value()) break;
            if (!err.reason.empty()) {
              return http::json_error(res, 400, "invalid_list", "line " + std::to_string(err.line) + ": " + err.reason,
                                      err.field.empty() ? "body" : err.field);
            }
            if (rec.deletion) {
              if (rec.by_external_id) {
                deleted_ids.push_back(rec.entry.external_id);
              } else {
                deletions[static_cast<int>(rec.entry.type)].push_back(rec.entry.value);
              }
              continue;
            }
            if (auto org = req.query_param("source_org"); org && rec.entry.source_org.empty()) {
              rec.entry.source_org = std::string(*org);
            }
            adds.push_back(rec.entry);
          }
          auto st = engine.store();
          if (!st.ok()) return send_status(res, st.status());
          auto b = named_bank(*st.value(), req, res);
          if (!b) return;
          // Additions are one transaction; deletions follow in their own
          // (a failure there is reported and audited, additions stay).
          int64_t added = 0, deleted = 0;
          size_t deletion_count = deleted_ids.size();
          for (const auto& d : deletions) deletion_count += d.size();
          Json intent = {{"records", adds.size()}, {"deletions", deletion_count}};
          auto write = [&]() -> Status {
            if (!adds.empty()) {
              auto ids = st.value()->add_entries(b->id, adds);
              if (!ids.ok()) return ids.status();
              added = static_cast<int64_t>(ids.value().size());
            }
            for (int t = 1; t <= 4; ++t) {
              if (deletions[t].empty()) continue;
              auto n = st.value()->remove_by_value(b->id, static_cast<store::SignalType>(t), deletions[t]);
              if (!n.ok()) return n.status();
              deleted += n.value();
            }
            if (deleted_ids.empty()) return Status::Ok();
            std::sort(deleted_ids.begin(), deleted_ids.end());
            std::vector<int64_t> ids;
            Status s = st.value()->scan_entries(b->id, false, [&](const store::Entry& e) {
              if (std::binary_search(deleted_ids.begin(), deleted_ids.end(), e.external_id)) ids.push_back(e.id);
              return true;
            });
            if (!s.ok()) return s;
            auto n = st.value()->remove_entries(ids);
            if (!n.ok()) return n.status();
            deleted += n.value();
            return Status::Ok();
          };
          if (!audited(ctx, res, "bank.import", "bank:" + b->name, intent, write, "body")) return;
          (void)engine.refresh();
          send_json(res, 200, {{"added", added}, {"deleted", deleted}, {"unsupported", reader->skipped()}});
        });
}

}  // namespace chainbreak::api
