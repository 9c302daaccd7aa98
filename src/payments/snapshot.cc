// Snapshots of the Screener's state: binary, XXH3-64 over the whole file,
// written to a temporary file, fsynced and renamed.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "payments/engine_impl.h"

namespace chainbreak::payments {

namespace {
constexpr char kMagic[8] = {'C', 'B', 'P', 'A', 'Y', 'S', 'N', '1'};
}

BinWriter::BinWriter(const std::string& path) : path_(path), sum_(XXH3_createState()) {
  XXH3_64bits_reset(sum_);
  fd_ = ::open((path + ".tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) status_ = IoError("cannot create " + path + ".tmp: " + std::strerror(errno));
  buf_.reserve(1 << 20);
}
BinWriter::~BinWriter() {
  if (fd_ >= 0) ::close(fd_);
  XXH3_freeState(sum_);
}
void BinWriter::write(const void* p, size_t n) {
  XXH3_64bits_update(sum_, p, n);
  buf_.append(static_cast<const char*>(p), n);
  if (buf_.size() >= (1 << 20)) flush();
}
void BinWriter::flush() {
  size_t off = 0;
  while (status_.ok() && off < buf_.size()) {
    ssize_t w = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0)
      status_ = IoError("cannot write " + path_ + ".tmp: " + std::strerror(errno));
    else
      off += static_cast<size_t>(w);
  }
  buf_.clear();
}
Status BinWriter::finish() {
  uint64_t sum = XXH3_64bits_digest(sum_);
  buf_.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  flush();
  if (status_.ok() && ::fsync(fd_) != 0) status_ = IoError("cannot fsync " + path_ + ".tmp");
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (status_.ok() && std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0)
    status_ = IoError("cannot rename " + path_ + ".tmp: " + std::strerror(errno));
  return status_;
}

Result<BinReader> BinReader::open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  BinReader r;
  r.data_ = ss.str();
  if (r.data_.size() < 8) return InvalidInput(path + ": truncated snapshot");
  uint64_t sum;
  std::memcpy(&sum, r.data_.data() + r.data_.size() - 8, 8);
  r.data_.resize(r.data_.size() - 8);
  if (XXH3_64bits(r.data_.data(), r.data_.size()) != sum) return InvalidInput(path + ": snapshot checksum mismatch");
  return r;
}

Status Screener::save(const std::string& path, uint64_t tag) const {
  const Impl& m = *impl_;
  BinWriter w(path);
  w.write(kMagic, 8);
  w.put(tag);
  w.put<uint64_t>(m.screened), w.put<uint64_t>(m.held), w.put<uint64_t>(m.blocked);
  w.put<uint64_t>(m.ids.size());
  for (uint32_t i = 0; i < m.ids.size(); ++i) {
    w.str(m.ids.name(i));
    w.put<uint8_t>(m.accounts[i].flags & (kGreenRuntime | kHasSnooze));
    for (const Ring* r : {&m.accounts[i].out, &m.accounts[i].in}) {
      w.put<uint16_t>(static_cast<uint16_t>(r->size()));
      for (uint32_t k = 0; k < r->size(); ++k) w.put(r->at(k));
    }
  }
  w.put<uint64_t>(m.pairs.size());
  m.pairs.for_each([&](uint64_t k, const PairInfo& p) {
    w.put(k);
    w.put(p);
  });
  w.put<uint64_t>(m.snoozes.size());
  m.snoozes.for_each([&](uint64_t k, int64_t until) {
    w.put(k);
    w.put(until);
  });
  w.put<uint64_t>(m.rule_names.size());
  for (uint32_t i = 0; i < m.rule_names.size(); ++i) {
    w.str(m.rule_names.name(i));
    w.put(m.counters[i]);
  }
  w.put<uint64_t>(m.holds.size());
  for (const auto& [id, h] : m.holds) {
    w.str(id);
    w.put(h.time);
    w.put(h.outcome);
    w.put(h.payer);
    w.put(h.status);
    w.put<uint32_t>(static_cast<uint32_t>(h.rule_names.size()));
    for (uint32_t r : h.rule_names) w.put(r);
  }
  w.put<uint64_t>(m.release_seconds.size());
  for (int64_t s : m.release_seconds) w.put(s);
  return w.finish();
}

Result<uint64_t> Screener::load(const std::string& path) {
  auto rr = BinReader::open(path);
  if (!rr.ok()) return rr.status();
  BinReader& r = rr.value();
  char magic[8];
  r.read(magic, 8);
  if (std::memcmp(magic, kMagic, 8) != 0) return InvalidInput(path + ": not a chainbreak payments snapshot");
  auto fresh = std::make_unique<Impl>(1024);
  Impl& m = *fresh;
  uint64_t tag = r.get<uint64_t>();
  m.screened = r.get<uint64_t>(), m.held = r.get<uint64_t>(), m.blocked = r.get<uint64_t>();
  uint64_t n = r.get<uint64_t>();
  if (n > (1u << 28)) return InvalidInput(path + ": corrupt snapshot (account count)");
  m.accounts.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint32_t idx = m.account(r.str());
    if (idx != i) return InvalidInput(path + ": corrupt snapshot (duplicate account)");
    m.accounts[idx].flags = r.get<uint8_t>();
    for (Ring* ring : {&m.accounts[idx].out, &m.accounts[idx].in}) {
      uint16_t sz = r.get<uint16_t>();
      if (sz > kRingCapacity) return InvalidInput(path + ": corrupt snapshot (ring)");
      for (uint16_t k = 0; k < sz; ++k) {
        Event e = r.get<Event>();
        if (e.counterparty() >= n) return InvalidInput(path + ": corrupt snapshot (counterparty)");
        ring->push(e);
      }
    }
  }
  uint64_t np = r.get<uint64_t>();
  for (uint64_t i = 0; i < np && r.ok(); ++i) {
    uint64_t k = r.get<uint64_t>();
    if (k == 0) return InvalidInput(path + ": corrupt snapshot (pair)");
    m.pairs.get(k) = r.get<PairInfo>();
  }
  uint64_t ns = r.get<uint64_t>();
  for (uint64_t i = 0; i < ns && r.ok(); ++i) {
    uint64_t k = r.get<uint64_t>();
    if (k == 0) return InvalidInput(path + ": corrupt snapshot (snooze)");
    m.snoozes.get(k) = r.get<int64_t>();
  }
  uint64_t nr = r.get<uint64_t>();
  for (uint64_t i = 0; i < nr && r.ok(); ++i) {
    uint32_t id = m.name_id(r.str());
    m.counters[id] = r.get<Counters>();
  }
  uint64_t nh = r.get<uint64_t>();
  for (uint64_t i = 0; i < nh && r.ok(); ++i) {
    HoldRecord& h = m.holds[r.str()];
    h.time = r.get<int64_t>();
    h.outcome = r.get<Outcome>();
    h.payer = r.get<uint32_t>();
    h.status = r.get<HoldRecord::Status>();
    uint32_t k = r.get<uint32_t>();
    if (k > 65536 || h.payer >= n) return InvalidInput(path + ": corrupt snapshot (hold)");
    for (uint32_t j = 0; j < k; ++j) {
      uint32_t rn = r.get<uint32_t>();
      if (rn >= nr) return InvalidInput(path + ": corrupt snapshot (hold rule)");
      h.rule_names.push_back(rn);
    }
  }
  uint64_t nrel = r.get<uint64_t>();
  for (uint64_t i = 0; i < nrel && r.ok(); ++i) m.release_seconds.push_back(r.get<int64_t>());
  if (!r.ok() || !r.at_end()) return InvalidInput(path + ": corrupt snapshot (length)");
  // Keep the rules and identifiers; swap in the state.
  m.rules = std::move(impl_->rules);
  m.payment_ids = std::move(impl_->payment_ids);
  impl_ = std::move(fresh);
  impl_->apply_rules();
  return tag;
}

}  // namespace chainbreak::payments
