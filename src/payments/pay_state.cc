#include "payments/pay_state.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

namespace chainbreak::payments {

namespace {
void put_u32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
bool get_u32(std::string_view& s, uint32_t* v) {
  if (s.size() < 4) return false;
  std::memcpy(v, s.data(), 4);
  s.remove_prefix(4);
  return true;
}
bool get_str(std::string_view& s, std::string_view* out) {
  uint32_t n;
  if (!get_u32(s, &n) || s.size() < n) return false;
  *out = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

struct ScreenRecord {
  uint64_t line = 0;
  std::string_view raw, decision;
};
bool parse_screen(std::string_view p, ScreenRecord* r) {
  if (p.size() < 8) return false;
  std::memcpy(&r->line, p.data(), 8);
  p.remove_prefix(8);
  if (!get_str(p, &r->raw)) return false;
  r->decision = p;
  return true;
}
}  // namespace

bool screen_line(Screener& s, TxParser& p, std::string_view line, uint64_t line_no, std::string& out) {
  Transaction tx;
  FieldError err;
  if (line.size() > (1u << 20)) {
    err = {"", "line longer than 1 MiB"};
    Screener::append_error_json(false, {}, line_no, err, out);
    return false;
  }
  if (!p.parse(line, &tx, &err)) {
    Screener::append_error_json(p.has_err_id(), p.err_id(), line_no, err, out);
    return false;
  }
  s.append_json(s.screen(tx), out);
  return true;
}

LineScreener::LineScreener(Screener& s) : s_(s) {
  for (size_t i = 0; i < Screener::kBatch; ++i) parsers_.push_back(std::make_unique<TxParser>());
  txs_.resize(Screener::kBatch);
  tx_line_.resize(Screener::kBatch);
}
LineScreener::~LineScreener() = default;

void LineScreener::run(std::span<const LineRef> lines, std::string& out,
                       const std::function<void(size_t, std::string_view)>& done) {
  for (size_t base = 0; base < lines.size(); base += Screener::kBatch) {
    const size_t n = std::min(Screener::kBatch, lines.size() - base);
    size_t ntx = 0, next = base;  // next: first line whose decision is not yet written
    FieldError err;
    // Error lines are written when the transactions before them are.
    for (size_t k = 0; k < n; ++k) {
      const LineRef& l = lines[base + k];
      TxParser& p = *parsers_[k];
      if (l.text.size() <= (1u << 20) && p.parse(l.text, &txs_[ntx], &err)) {
        tx_line_[ntx++] = base + k;
      }
    }
    auto flush_errors = [&](size_t upto) {
      for (; next < upto; ++next) {
        const LineRef& l = lines[next];
        size_t start = out.size();
        TxParser& p = *parsers_[next - base];
        FieldError e;
        if (l.text.size() > (1u << 20)) {
          e = {"", "line longer than 1 MiB"};
          Screener::append_error_json(false, {}, l.line_no, e, out);
        } else {
          Transaction scratch;
          p.parse(l.text, &scratch, &e);  // again, for the message (errors are rare)
          Screener::append_error_json(p.has_err_id(), p.err_id(), l.line_no, e, out);
        }
        done(next, std::string_view(out).substr(start));
        out.push_back('\n');
      }
    };
    s_.screen_batch(std::span<const Transaction>(txs_.data(), ntx), [&](size_t i, const Decision& d) {
      flush_errors(tx_line_[i]);
      size_t start = out.size();
      s_.append_json(d, out);
      done(next, std::string_view(out).substr(start));
      out.push_back('\n');
      ++next;
    });
    flush_errors(base + n);
  }
}

std::string session_payload(const RuleSet& rules, const std::vector<Digest>& ids) {
  std::string s;
  put_u32(s, static_cast<uint32_t>(rules.origin.size()));
  s.append(rules.origin);
  put_u32(s, static_cast<uint32_t>(rules.text.size()));
  s.append(rules.text);
  put_u32(s, static_cast<uint32_t>(ids.size()));
  for (const Digest& d : ids) s.append(reinterpret_cast<const char*>(d.data()), d.size());
  return s;
}

Status parse_session(std::string_view p, RuleSet* rules, std::vector<Digest>* ids) {
  std::string_view origin, text;
  uint32_t n;
  if (!get_str(p, &origin) || !get_str(p, &text) || !get_u32(p, &n) || p.size() != size_t{n} * 32)
    return InvalidInput("malformed session record");
  auto rs = parse_rules(text, origin);
  if (!rs.ok()) return InvalidInput("journaled rules no longer parse: " + rs.status().message());
  *rules = std::move(rs).value();
  ids->resize(n);
  for (uint32_t i = 0; i < n; ++i) std::memcpy((*ids)[i].data(), p.data() + 32 * size_t{i}, 32);
  return Status::Ok();
}

Result<std::unique_ptr<PaymentState>> PaymentState::open(StateOptions o) {
  std::error_code ec;
  if (!o.read_only) std::filesystem::create_directories(o.dir, ec);
  if (ec) return IoError("cannot create state directory " + o.dir + ": " + ec.message());
  std::unique_ptr<PaymentState> ps(new PaymentState());
  RuleSet session_rules = o.screener.rules;
  std::vector<Digest> session_ids = o.screener.payment_ids;
  auto sc = Screener::open(o.screener);
  if (!sc.ok()) return sc.status();
  ps->screener_ = std::move(sc).value();
  Screener& s = *ps->screener_;
  const std::string journal = o.dir + "/journal.log", snapshot = o.dir + "/snapshot.bin";
  uint64_t from = 0;
  if (std::filesystem::exists(snapshot)) {
    auto tag = s.load(snapshot);
    if (!tag.ok()) return tag.status();
    from = tag.value();
    // The rules in effect at the snapshot: the last session record before it.
    RuleSet rs;
    std::vector<Digest> ids;
    bool have = false;
    auto scan = scan_journal(journal, 0, [&](RecordType t, std::string_view p, uint64_t end) {
      if (end > from) return Unsupported("stop");
      if (t == RecordType::kSession) {
        Status st = parse_session(p, &rs, &ids);
        if (!st.ok()) return st;
        have = true;
      }
      return Status::Ok();
    });
    if (!scan.ok() && scan.status().code() != ErrorCode::kUnsupported) return scan.status();
    if (have) {
      s.set_rules(std::move(rs));
      s.set_payment_ids(std::move(ids));
    }
  }
  // Replay the tail.
  TxParser& parser = ps->parser_;
  std::string scratch;
  auto scan = scan_journal(journal, from, [&](RecordType t, std::string_view p, uint64_t) {
    ++ps->recovered_;
    if (t == RecordType::kSession) {
      RuleSet rs;
      std::vector<Digest> ids;
      Status st = parse_session(p, &rs, &ids);
      if (!st.ok()) return st;
      s.set_rules(std::move(rs));
      s.set_payment_ids(std::move(ids));
    } else if (t == RecordType::kScreen) {
      ScreenRecord r;
      if (!parse_screen(p, &r)) return InvalidInput("malformed screen record in " + journal);
      scratch.clear();
      payments::screen_line(s, parser, r.raw, r.line, scratch);
      ++ps->since_snapshot_;
    } else {
      auto e = redress_from_json(p);
      if (!e.ok()) return e.status();
      (void)s.apply(e.value());  // journaled only when it applied
    }
    return Status::Ok();
  });
  if (!scan.ok()) return scan.status();
  ps->torn_ = scan.value().torn;
  s.set_rules(std::move(session_rules));
  s.set_payment_ids(std::move(session_ids));
  ps->opt_ = std::move(o);
  if (!ps->opt_.read_only) {
    auto w = JournalWriter::open(journal, scan.value().valid_end);
    if (!w.ok()) return w.status();
    ps->journal_ = std::move(w).value();
    ps->journal_->append(RecordType::kSession, session_payload(s.rules(), s.payment_ids()));
    Status st = ps->journal_->commit();
    if (!st.ok()) return st;
  }
  return ps;
}

struct PaymentState::Pipe {
  std::mutex mu;
  std::condition_variable cv;
  bool busy = false, stop = false;
  Status error;
  std::string journal, ack;
  std::function<Status(const std::string&)> write_ack;
  std::thread thread;
};

struct PaymentState::Flusher {
  std::mutex mu;
  std::condition_variable cv;
  std::mutex* screen_mu = nullptr;
  std::vector<std::pair<uint64_t, std::function<void(Status)>>> waiting;
  bool stop = false;
  Status error;
  std::thread thread;
};

PaymentState::~PaymentState() {
  if (flusher_) {
    {
      std::lock_guard<std::mutex> l(flusher_->mu);
      flusher_->stop = true;  // the flusher serves every waiter first
    }
    flusher_->cv.notify_all();
    flusher_->thread.join();
  }
  if (!pipe_) return;
  {
    std::lock_guard<std::mutex> l(pipe_->mu);
    pipe_->stop = true;
  }
  pipe_->cv.notify_all();
  pipe_->thread.join();
}

Status PaymentState::drain() {
  if (!pipe_) return Status::Ok();
  std::unique_lock<std::mutex> l(pipe_->mu);
  pipe_->cv.wait(l, [&] { return !pipe_->busy; });
  return pipe_->error;
}

Status PaymentState::commit_pipelined(std::string* ack, std::function<Status(const std::string&)> write_ack) {
  if (!journal_) {
    Status st = write_ack(*ack);
    ack->clear();
    return st;
  }
  if (Status st = drain(); !st.ok()) return st;
  if (!pipe_) {
    pipe_ = std::make_unique<Pipe>();
    Pipe& p = *pipe_;
    p.thread = std::thread([this, &p] {
      std::unique_lock<std::mutex> l(p.mu);
      for (;;) {
        p.cv.wait(l, [&] { return p.busy || p.stop; });
        if (!p.busy) return;
        l.unlock();
        Status st = journal_->write_durable(p.journal);
        if (st.ok()) st = p.write_ack(p.ack);
        l.lock();
        if (!st.ok() && p.error.ok()) p.error = st;
        p.busy = false;
        p.cv.notify_all();
      }
    });
  }
  {
    std::lock_guard<std::mutex> l(pipe_->mu);  // the writer is idle: its buffers are ours
    journal_->take(&pipe_->journal);
    pipe_->ack.swap(*ack);
    ack->clear();
    pipe_->write_ack = std::move(write_ack);
    pipe_->busy = true;
  }
  pipe_->cv.notify_all();
  if (opt_.snapshot_every > 0 && since_snapshot_ >= opt_.snapshot_every) {
    if (Status st = drain(); !st.ok()) return st;
    return save_snapshot();
  }
  return Status::Ok();
}

void PaymentState::screen_line(std::string_view line, uint64_t line_no, std::string& out) {
  size_t start = out.size();
  payments::screen_line(*screener_, parser_, line, line_no, out);
  ++since_snapshot_;
  if (!journal_) return;
  char hdr[12];
  std::memcpy(hdr, &line_no, 8);
  uint32_t n = static_cast<uint32_t>(line.size());
  std::memcpy(hdr + 8, &n, 4);
  journal_->append(RecordType::kScreen, std::string_view(hdr, 12), line, std::string_view(out).substr(start));
}

void PaymentState::screen_lines(std::span<const LineRef> lines, std::string& out) {
  if (!lines_) lines_ = std::make_unique<LineScreener>(*screener_);
  ++queued_batches_;
  since_snapshot_ += lines.size();
  lines_->run(lines, out, [&](size_t i, std::string_view decision) {
    if (!journal_) return;
    char hdr[12];
    uint64_t no = lines[i].line_no;
    std::memcpy(hdr, &no, 8);
    uint32_t n = static_cast<uint32_t>(lines[i].text.size());
    std::memcpy(hdr + 8, &n, 4);
    journal_->append(RecordType::kScreen, std::string_view(hdr, 12), lines[i].text, decision);
  });
}

Status PaymentState::save_snapshot() {
  Status st = screener_->save(opt_.dir + "/snapshot.bin", journal_->committed());
  if (st.ok()) since_snapshot_ = 0;
  return st;
}

Status PaymentState::commit() {
  if (!journal_) return Status::Ok();
  if (Status st = drain(); !st.ok()) return st;
  Status st = journal_->commit();
  if (!st.ok()) return st;
  if (opt_.snapshot_every > 0 && since_snapshot_ >= opt_.snapshot_every) return save_snapshot();
  return Status::Ok();
}

void PaymentState::commit_async(uint64_t seq, std::mutex& screen_mu, std::function<void(Status)> done) {
  if (!journal_) return done(Status::Ok());
  std::call_once(flusher_once_, [&] {
    auto f = std::make_unique<Flusher>();
    f->screen_mu = &screen_mu;
    Flusher& fl = *f;
    f->thread = std::thread([this, &fl] {
      std::string batch;
      std::unique_lock<std::mutex> l(fl.mu);
      for (;;) {
        fl.cv.wait(l, [&] { return fl.stop || !fl.waiting.empty(); });
        if (fl.waiting.empty()) return;  // stopping, nobody waits
        l.unlock();
        uint64_t upto;
        {
          std::lock_guard<std::mutex> s(*fl.screen_mu);
          journal_->take(&batch);
          upto = queued_batches_;
        }
        Status st = journal_->write_durable(batch);
        if (st.ok()) {
          std::lock_guard<std::mutex> s(*fl.screen_mu);
          // The snapshot must match the journal's end: nothing queued meanwhile.
          if (opt_.snapshot_every > 0 && since_snapshot_ >= opt_.snapshot_every && journal_->pending_bytes() == 0)
            st = save_snapshot();
        }
        l.lock();
        if (!st.ok() && fl.error.ok()) fl.error = st;
        std::vector<std::function<void(Status)>> ready;
        auto keep = fl.waiting.begin();
        for (auto& w : fl.waiting) {
          if (!fl.error.ok() || w.first <= upto) {
            ready.push_back(std::move(w.second));
          } else {
            *keep++ = std::move(w);
          }
        }
        fl.waiting.erase(keep, fl.waiting.end());
        Status result = fl.error;
        l.unlock();
        for (auto& d : ready) d(result);
        l.lock();
      }
    });
    flusher_ = std::move(f);
  });
  Flusher& fl = *flusher_;
  std::unique_lock<std::mutex> l(fl.mu);
  if (!fl.error.ok()) {
    Status e = fl.error;
    l.unlock();
    return done(e);
  }
  fl.waiting.emplace_back(seq, std::move(done));
  l.unlock();
  fl.cv.notify_one();
}

Status PaymentState::commit_shared(std::mutex& screen_mu) {
  uint64_t seq;
  {
    std::lock_guard<std::mutex> l(screen_mu);
    seq = queued_batches_;
  }
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  Status result;
  commit_async(seq, screen_mu, [&](Status st) {
    std::lock_guard<std::mutex> l(m);
    result = st;
    finished = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> l(m);
  cv.wait(l, [&] { return finished; });
  return result;
}

Status PaymentState::redress_queued(const RedressEvent& e) {
  if (!journal_) return Unsupported("state opened read-only");
  if (Status st = drain(); !st.ok()) return st;
  Status st = screener_->apply(e);
  if (!st.ok()) return st;
  journal_->append(RecordType::kRedress, redress_to_json(e));
  ++queued_batches_;
  return Status::Ok();
}

Status PaymentState::redress(const RedressEvent& e) {
  if (Status st = redress_queued(e); !st.ok()) return st;
  return journal_->commit();
}

Status PaymentState::close() {
  if (!journal_) return Status::Ok();
  if (Status st = drain(); !st.ok()) return st;
  Status st = journal_->commit();
  if (!st.ok()) return st;
  return save_snapshot();
}

Result<ReplayReport> replay_journal(const std::string& dir, const RuleSet* override_rules) {
  const std::string journal = dir + "/journal.log";
  if (!std::filesystem::exists(journal)) return IoError("no journal in " + dir);
  ReplayReport rep;
  std::unique_ptr<Screener> s;
  TxParser parser;
  std::string got;
  uint64_t n = 0;
  auto scan = scan_journal(journal, 0, [&](RecordType t, std::string_view p, uint64_t) -> Status {
    ++n;
    if (t == RecordType::kSession) {
      ++rep.sessions;
      RuleSet rs;
      std::vector<Digest> ids;
      Status st = parse_session(p, &rs, &ids);
      if (!st.ok()) return st;
      if (override_rules) rs = *override_rules;
      if (!s) {
        auto o = Screener::open(Options{std::move(rs), std::move(ids), 1 << 16});
        if (!o.ok()) return o.status();
        s = std::move(o).value();
      } else {
        s->set_rules(std::move(rs));
        s->set_payment_ids(std::move(ids));
      }
      return Status::Ok();
    }
    if (!s) return InvalidInput("journal does not start with a session record");
    if (t == RecordType::kRedress) {
      ++rep.redress;
      auto e = redress_from_json(p);
      if (!e.ok()) return e.status();
      (void)s->apply(e.value());
      return Status::Ok();
    }
    ScreenRecord r;
    if (!parse_screen(p, &r)) return InvalidInput("malformed screen record");
    ++rep.screens;
    got.clear();
    screen_line(*s, parser, r.raw, r.line, got);
    if (rep.identical && got != r.decision) {
      rep.identical = false;
      rep.first_diff_record = n;
      rep.line = r.line;
      rep.expected.assign(r.decision);
      rep.got = got;
    }
    return Status::Ok();
  });
  if (!scan.ok()) return scan.status();
  rep.torn = scan.value().torn;
  return rep;
}

}  // namespace chainbreak::payments
