// CustodyKeeper: the service's chain-of-custody upkeep, on a thread of its
// own (src/custody): signs a checkpoint of the audit log's head every
// checkpoint interval and once more when it stops (so `chainbreak audit
// verify --public-key` can tell a rewritten log from the one the service
// wrote), and purges expired evidence (past its retention, no legal hold)
// every purge interval, each purge an audit entry.
//
// Thread-safety: construct, then leave it alone; the destructor stops the
// thread after the last checkpoint. Errors are reported on standard error
// and counted (the next round tries again); they never stop the service.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "util/result.h"

namespace chainbreak::api {

class CustodyKeeper {
 public:
  struct Options {
    std::string location;  // the service store's location
    std::string key_dir;   // "" = custody::resolve_key_dir's default
    std::chrono::seconds checkpoint_interval{60};
    std::chrono::seconds purge_interval{3600};
  };
  // Loads (or creates) the keys and opens the connections; kInvalidInput
  // for PostgreSQL without a key directory, the stores' errors otherwise.
  static Result<std::unique_ptr<CustodyKeeper>> start(const Options& options);
  ~CustodyKeeper();
  CustodyKeeper(const CustodyKeeper&) = delete;
  CustodyKeeper& operator=(const CustodyKeeper&) = delete;

  uint64_t checkpoints() const { return checkpoints_.load(); }
  uint64_t purged() const { return purged_.load(); }
  uint64_t errors() const { return errors_.load(); }

 private:
  struct State;
  explicit CustodyKeeper(Options o);
  void loop();
  void checkpoint();
  void purge();

  Options options_;
  std::unique_ptr<State> state_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> checkpoints_{0}, purged_{0}, errors_{0};
};

}  // namespace chainbreak::api
