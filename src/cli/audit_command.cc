// `chainbreak audit verify` and `chainbreak audit checkpoint`: the chain of
// custody from the command line (docs/CLI.md). verify is read-only (it can
// run on a backup or a read-only copy) and is therefore not itself audited.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/bank_command.h"
#include "cli/commands.h"
#include "cli/store_location.h"
#include "custody/keys.h"
#include "custody/verify.h"
#include "store/custody_store.h"
#include "store/service_store.h"

namespace chainbreak::cli {
namespace {

struct AuditOptions {
  StoreLocation where;
  std::string key_dir;
  std::string public_key;
  bool json = false;
};

bool is_postgres(const std::string& l) {
  return l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=");
}

int fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "chainbreak: %s: %s\n", what.c_str(), s.message().c_str());
  return 1;
}

struct Stores {
  std::string location;
  std::unique_ptr<store::ServiceStore> audit;
  std::unique_ptr<store::CustodyStore> custody;
};

// Opens both stores; an existing database only (verify must not make an
// empty one and call it intact).
Result<Stores> open_stores(const StoreLocation& where) {
  Stores st;
  st.location = where.db.empty() ? resolve_data_dir(where) + "/chainbreak.db" : where.db;
  if (!is_postgres(st.location) && !std::filesystem::exists(st.location)) {
    return IoError("no database at " + st.location);
  }
  auto a = store::open_service_store(st.location);
  if (!a.ok()) return a.status();
  auto c = store::open_custody_store(st.location);
  if (!c.ok()) return c.status();
  st.audit = std::move(a).value();
  st.custody = std::move(c).value();
  return st;
}

int run_verify(const AuditOptions& o) {
  auto st = open_stores(o.where);
  if (!st.ok()) return fail("audit verify", st.status());
  custody::VerifyOptions vo;
  vo.public_key = o.public_key;
  std::string pinned_from = o.public_key.empty() ? "" : "--public-key";
  // Keys are optional here: without them the chain, the signatures (against
  // the keys stored with them) and the ciphertext hashes are still checked.
  auto dir = custody::resolve_key_dir(st.value().location, o.key_dir);
  if (dir.ok()) {
    auto ek = custody::load_evidence_key(dir.value());
    if (!ek.ok()) return fail("audit verify", ek.status());
    vo.evidence_key = std::move(ek).value();
    if (vo.public_key.empty()) {
      auto sk = custody::load_signing_key(dir.value());
      if (!sk.ok()) return fail("audit verify", sk.status());
      if (sk.value()) {
        vo.public_key = sk.value()->public_key_hex();
        pinned_from = dir.value() + "/audit-signing.key";
      }
    }
  }
  auto r = custody::verify(*st.value().audit, *st.value().custody, vo);
  if (!r.ok()) return fail("audit verify", r.status());
  const custody::VerifyReport& rep = r.value();
  if (o.json) {
    nlohmann::json j = {{"ok", rep.ok},
                        {"problem", rep.ok ? nlohmann::json(nullptr) : nlohmann::json(rep.problem)},
                        {"audit_entries", rep.audit_entries},
                        {"head_seq", rep.head_seq},
                        {"head_hash", rep.head_hash},
                        {"checkpoints", rep.checkpoints},
                        {"last_checkpoint_seq", rep.last_checkpoint_seq},
                        {"signer", rep.signer_pinned ? nlohmann::json(vo.public_key) : nlohmann::json(nullptr)},
                        {"evidence_items", rep.evidence_items},
                        {"purged_items", rep.purged_items},
                        {"decrypted", rep.decrypted},
                        {"warnings", rep.warnings}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return rep.ok ? 0 : 1;
  }
  for (const std::string& w : rep.warnings) std::fprintf(stderr, "chainbreak: warning: %s\n", w.c_str());
  if (!rep.ok) {
    std::fprintf(stderr, "chainbreak: audit verify: BROKEN: %s\n", rep.problem.c_str());
    return 1;
  }
  std::printf("audit verify: intact\n");
  std::printf("  audit entries: %lld (head seq %lld%s%s)\n", static_cast<long long>(rep.audit_entries),
              static_cast<long long>(rep.head_seq), rep.head_hash.empty() ? "" : ", hash ", rep.head_hash.c_str());
  std::printf("  checkpoints:   %lld signatures verified (last at seq %lld; signer %s)\n",
              static_cast<long long>(rep.checkpoints), static_cast<long long>(rep.last_checkpoint_seq),
              rep.signer_pinned ? (vo.public_key + " from " + pinned_from).c_str() : "not pinned");
  std::printf("  evidence:      %lld items (%lld purged, %lld decrypted and checked)\n",
              static_cast<long long>(rep.evidence_items), static_cast<long long>(rep.purged_items),
              static_cast<long long>(rep.decrypted));
  return 0;
}

int run_checkpoint(const AuditOptions& o) {
  auto st = open_stores(o.where);
  if (!st.ok()) return fail("audit checkpoint", st.status());
  auto dir = custody::resolve_key_dir(st.value().location, o.key_dir);
  if (!dir.ok()) return fail("audit checkpoint", dir.status());
  auto key = custody::load_or_create_signing_key(dir.value());
  if (!key.ok()) return fail("audit checkpoint", key.status());
  auto c = custody::sign_checkpoint(*st.value().audit, *st.value().custody, key.value());
  if (!c.ok()) return fail("audit checkpoint", c.status());
  if (!c.value()) {
    std::printf("audit checkpoint: the audit log is empty; nothing to sign\n");
    return 0;
  }
  std::printf("audit checkpoint: seq %lld hash %s signed by %s\n", static_cast<long long>(c.value()->seq),
              c.value()->hash.c_str(), c.value()->public_key.c_str());
  return 0;
}

}  // namespace

Command add_audit_command(CLI::App& root) {
  auto o = std::make_shared<AuditOptions>();
  auto a = root.add_subcommand("audit", "Verify and sign the audit log and the evidence chain of custody");
  a->require_subcommand(1);
  auto verify = a->add_subcommand("verify", "Check the whole audit chain, its signatures and the evidence");
  auto checkpoint = a->add_subcommand("checkpoint", "Sign the audit log's current head (Ed25519)");
  for (CLI::App* c : {verify, checkpoint}) {
    c->add_option("--data", o->where.data_dir,
                  "Data directory (default: $CHAINBREAK_DATA, else ~/.local/share/chainbreak)");
    c->add_option("--db", o->where.db, "Database instead of DIR/chainbreak.db: postgresql://... or a SQLite file");
    c->add_option("--key-dir", o->key_dir,
                  "Key directory (default: $CHAINBREAK_KEY_DIR, else DIR/keys; required with PostgreSQL to sign)");
  }
  verify->add_option("--public-key", o->public_key, "Trusted checkpoint signer (64 hex; default: KEYDIR's key)");
  verify->add_flag("--json", o->json, "Print the report as one JSON object");
  return {a, [=] {
            if (verify->parsed()) return run_verify(*o);
            if (checkpoint->parsed()) return run_checkpoint(*o);
            return 2;
          }};
}

}  // namespace chainbreak::cli
