// The `hash` subcommand: path expansion, parallel hashing, ordered output.
#include "cli/hash_command.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/ordered_runner.h"
#include "signals/exact/digest.h"

namespace chainbreak::cli {
namespace {

struct Outcome {
  bool ok = false;
  std::string line;  // the output line (with newline) or the error reason
};

std::string json_line(const std::string& path, const std::string& type, const std::string& hash,
                      const signals::PdqSignal* pdq, bool dihedral) {
  nlohmann::ordered_json j;
  j["path"] = path;
  j["signal_type"] = type;
  j["hash"] = hash;
  if (pdq != nullptr) {
    j["quality"] = pdq->quality;
    j["width"] = pdq->width;
    j["height"] = pdq->height;
    if (dihedral) {
      nlohmann::ordered_json d;
      for (int k = 0; k < pdq::kNumDihedral; ++k) {
        d[pdq::dihedral_name(static_cast<pdq::Dihedral>(k))] = pdq->dihedral[k].hex();
      }
      j["dihedral"] = d;
    }
  }
  // Paths need not be UTF-8: replace invalid bytes rather than fail.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

int run_hash_command(const HashCommandOptions& options) {
  const bool is_pdq = options.signal_type == "pdq";
  exact::DigestType digest_type{};
  if (!is_pdq && !exact::parse_digest_type(options.signal_type, &digest_type)) {
    std::fprintf(stderr, "chainbreak: unknown signal type '%s' (pdq, md5, sha1, sha256)\n",
                 options.signal_type.c_str());
    return 2;
  }
  const int jobs = std::max(1, options.jobs);
  std::vector<std::unique_ptr<signals::PdqFileHasher>> hashers;
  for (int i = 0; i < jobs; ++i) hashers.push_back(std::make_unique<signals::PdqFileHasher>(options.pdq));
  const bool json = options.format == OutputFormat::kJson;
  const bool dihedral = is_pdq && options.pdq.dihedral;

  auto work = [&](const PathItem& item, int worker) -> Outcome {
    if (!item.error.empty()) return {false, item.error};
    if (!is_pdq) {
      Result<std::string> d = exact::digest_file(item.path, digest_type);
      if (!d.ok()) return {false, d.status().message()};
      return {true, json ? json_line(item.path, options.signal_type, d.value(), nullptr, false)
                         : d.value() + "\t\t" + item.path + "\n"};
    }
    Result<signals::PdqSignal> r = hashers[worker]->hash_file(item.path);
    if (!r.ok()) return {false, r.status().message()};
    const signals::PdqSignal& s = r.value();
    if (json) return {true, json_line(item.path, "pdq", s.hash.hex(), &s, dihedral)};
    std::string field = s.hash.hex();
    if (dihedral) {
      for (int k = 1; k < pdq::kNumDihedral; ++k) {
        field.push_back(',');
        field.append(s.dihedral[k].hex());
      }
    }
    return {true, field + "\t" + std::to_string(s.quality) + "\t" + item.path + "\n"};
  };

  bool any_failed = false;
  auto emit = [&](const PathItem& item, Outcome& o) {
    if (o.ok) {
      std::fwrite(o.line.data(), 1, o.line.size(), stdout);
    } else {
      any_failed = true;
      std::fflush(stdout);
      std::fprintf(stderr, "chainbreak: %s: %s\n", item.path.c_str(), o.line.c_str());
    }
  };

  PathSource source(options.paths);
  const bool show =
      options.progress == ProgressWhen::kAlways || (options.progress == ProgressWhen::kAuto && ::isatty(STDERR_FILENO));
  Progress progress(show, 0);
  if (show && source.countable()) progress.set_total(source.count_all());
  static char out_buffer[1 << 16];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
  run_ordered<Outcome>(source, jobs, work, emit, &progress);
  progress.finish();
  std::fflush(stdout);
  return any_failed ? 1 : 0;
}

}  // namespace chainbreak::cli
