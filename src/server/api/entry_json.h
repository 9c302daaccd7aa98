// JSON forms of banks, entries and rules shared by the /v1 and HMA routes.
#pragma once

#include <string>

#include "server/api/api_internal.h"

namespace chainbreak::api {

Json bank_json(const store::Bank& b);
Json entry_json(const store::Entry& e);
Json rule_json(const store::Rule& r);
// Reads an entry object {"signal_type","signal", provenance fields...};
// on a bad field sets a 400 naming "<where>.<field>" and returns false.
bool entry_from_json(const Json& j, const std::string& where, store::Entry* e, http::Response& res);
// Reads a rule object (all fields optional except on create: name, action);
// on a bad field sets a 400 naming it and returns false.
bool rule_from_json(const Json& j, store::Rule* r, http::Response& res);

}  // namespace chainbreak::api
