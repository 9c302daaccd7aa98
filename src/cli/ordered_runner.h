// Runs a job over every path of a PathSource on N threads and hands the
// results back on the calling thread in input order, with a bounded number
// of results in flight (memory stays flat however many paths there are).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "util/path_source.h"
#include "util/progress.h"

namespace chainbreak::cli {

// `work(item, worker)` runs on worker threads (worker in [0, jobs)): it must
// only touch per-worker state. `emit(item, result)` runs on the calling thread
// in input order. `progress` (may be null) is updated after each emit.
template <class R>
void run_ordered(PathSource& source, int jobs, const std::function<R(const PathItem&, int)>& work,
                 const std::function<void(const PathItem&, R&)>& emit, Progress* progress) {
  uint64_t done = 0;
  if (jobs <= 1) {
    while (std::optional<PathItem> item = source.next()) {
      R r = work(*item, 0);
      emit(*item, r);
      if (progress) progress->update(++done);
    }
    return;
  }
  struct Slot {
    PathItem item;
    std::optional<R> result;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<uint64_t, Slot> slots;
  uint64_t handed = 0, emitted = 0;
  bool exhausted = false;
  const uint64_t window = 16 * static_cast<uint64_t>(jobs);
  std::vector<std::thread> threads;
  for (int w = 0; w < jobs; ++w) {
    threads.emplace_back([&, w] {
      for (;;) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return exhausted || handed - emitted < window; });
        if (exhausted) return;
        std::optional<PathItem> item = source.next();
        if (!item) {
          exhausted = true;
          cv.notify_all();
          return;
        }
        const uint64_t index = handed++;
        PathItem copy = *item;
        slots.emplace(index, Slot{std::move(*item), std::nullopt});
        lock.unlock();
        R r = work(copy, w);
        lock.lock();
        slots[index].result.emplace(std::move(r));
        cv.notify_all();
      }
    });
  }
  for (;;) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] {
      auto it = slots.find(emitted);
      return (it != slots.end() && it->second.result) || (exhausted && emitted == handed);
    });
    auto it = slots.find(emitted);
    if (it == slots.end() || !it->second.result) break;  // all done
    Slot slot = std::move(it->second);
    slots.erase(it);
    lock.unlock();
    emit(slot.item, *slot.result);
    lock.lock();
    ++emitted;
    cv.notify_all();
    lock.unlock();
    if (progress) progress->update(++done);
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace chainbreak::cli
