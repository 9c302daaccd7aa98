// `chainbreak match pdq|md5|sha1|sha256 --bank NAME PATH...`: hashes files
// and matches them against banks (with allowlist banks always consulted).
//
// Output, one line per match, in input order: TSV
// `<path>\t<bank>\t<entry id>\t<distance>\t<status>\t<external id>\t<classification>\t<hash>`
// where status is `match`, `suppressed` (the file also matched an allowlist
// entry) or `allowlisted` (the match on the allowlist bank itself); with
// --all a file without matches prints `<path>\t-\t\t\tno-match\t\t\t<hash>`.
// JSON: one object per file {"path","hash","matches":[...]}.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "banks/bank_set.h"
#include "banks/hex.h"
#include "cli/bank_command.h"
#include "cli/store_location.h"
#include "signals/exact/digest.h"
#include "signals/pdq_file.h"
#include "util/path_source.h"

namespace chainbreak::cli {
namespace {

const char* status_of(const banks::Match& m) {
  return m.allowlist ? "allowlisted" : m.suppressed ? "suppressed" : "match";
}

void print(const MatchBankOptions& o, const std::string& path, const std::string& hash,
           const std::vector<banks::Match>& matches) {
  if (o.output == OutputFormat::kJson) {
    nlohmann::json j = {{"path", path}, {"hash", hash}, {"matches", nlohmann::json::array()}};
    for (const auto& m : matches) {
      j["matches"].push_back({{"bank", m.bank},
                              {"entry_id", m.entry_id},
                              {"distance", m.distance},
                              {"status", status_of(m)},
                              {"value", m.entry.value},
                              {"external_id", m.entry.external_id},
                              {"source_org", m.entry.source_org},
                              {"classification", m.entry.classification}});
    }
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  if (matches.empty() && o.all) std::printf("%s\t-\t\t\tno-match\t\t\t%s\n", path.c_str(), hash.c_str());
  for (const auto& m : matches) {
    std::printf("%s\t%s\t%lld\t%d\t%s\t%s\t%s\t%s\n", path.c_str(), m.bank.c_str(), static_cast<long long>(m.entry_id),
                m.distance, status_of(m), m.entry.external_id.c_str(), m.entry.classification.c_str(), hash.c_str());
  }
}

}  // namespace

int run_match_bank(const MatchBankOptions& o) {
  auto type = store::parse_signal_type(o.signal_type);
  if (!type) {
    std::fprintf(stderr, "chainbreak: unknown signal type '%s'\n", o.signal_type.c_str());
    return 2;
  }
  auto opened = open_cli_store(o.where);
  if (!opened.ok()) {
    std::fprintf(stderr, "chainbreak: open store: %s\n", opened.status().message().c_str());
    return 1;
  }
  store::Store& st = *opened.value();
  auto set = banks::BankSet::open(st, snapshot_dir(o.where));
  if (!set.ok()) {
    std::fprintf(stderr, "chainbreak: load banks: %s\n", set.status().message().c_str());
    return 1;
  }
  if (Status s = set.value()->save_snapshots(); !s.ok()) {
    std::fprintf(stderr, "chainbreak: warning: index snapshots not updated: %s\n", s.message().c_str());
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  signals::PdqFileHasher hasher(o.pdq);
  int status = 0;
  PathSource paths(o.paths);
  while (auto item = paths.next()) {
    const std::string& path = item->path;
    if (!item->error.empty()) {
      std::fprintf(stderr, "chainbreak: %s: %s\n", path.c_str(), item->error.c_str());
      status = 1;
      continue;
    }
    std::string hash;
    Result<std::vector<banks::Match>> matches = std::vector<banks::Match>{};
    if (*type == store::SignalType::kPdq) {
      auto sig = hasher.hash_file(path);
      if (!sig.ok()) {
        std::fprintf(stderr, "chainbreak: %s: %s\n", path.c_str(), sig.status().message().c_str());
        status = 1;
        continue;
      }
      hash = sig.value().hash.hex();
      matches = set.value()->match_pdq(st, sig.value().hash, o.banks, o.threshold, now);
    } else {
      const auto dt = *type == store::SignalType::kMd5    ? exact::DigestType::kMd5
                      : *type == store::SignalType::kSha1 ? exact::DigestType::kSha1
                                                          : exact::DigestType::kSha256;
      auto digest = exact::digest_file(path, dt);
      if (!digest.ok()) {
        std::fprintf(stderr, "chainbreak: %s: %s\n", path.c_str(), digest.status().message().c_str());
        status = 1;
        continue;
      }
      hash = digest.value();
      matches = set.value()->match_exact(st, *type, banks::hex_bytes(hash), o.banks, now);
    }
    if (!matches.ok()) {
      std::fprintf(stderr, "chainbreak: %s\n", matches.status().message().c_str());
      return matches.status().code() == ErrorCode::kInvalidInput ? 2 : 1;
    }
    print(o, path, hash, matches.value());
  }
  return status;
}

}  // namespace chainbreak::cli
