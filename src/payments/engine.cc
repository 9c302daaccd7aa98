// Screening: state update, lazy feature groups, rule evaluation and the
// decision. No heap allocation per transaction once the tables and rings
// have grown to the stream's size.
#include <algorithm>

#include "payments/engine_impl.h"

namespace chainbreak::payments {

const char* outcome_name(Outcome o) {
  static const char* const kNames[] = {"allow", "hold", "block"};
  return kNames[static_cast<int>(o)];
}

Screener::Screener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Screener::~Screener() = default;

Result<std::unique_ptr<Screener>> Screener::open(Options o) {
  if (o.rules.typologies.empty()) return InvalidInput("no rules loaded");
  auto impl = std::make_unique<Impl>(std::max<size_t>(o.expected_accounts, 16));
  impl->accounts.reserve(o.expected_accounts);
  std::unique_ptr<Screener> s(new Screener(std::move(impl)));
  s->set_rules(std::move(o.rules));
  s->set_payment_ids(std::move(o.payment_ids));
  return s;
}

const RuleSet& Screener::rules() const { return impl_->rules; }
const std::vector<Digest>& Screener::payment_ids() const { return impl_->payment_ids; }

void Screener::set_rules(RuleSet rules) {
  impl_->rules = std::move(rules);
  impl_->apply_rules();
}

void Screener::set_payment_ids(std::vector<Digest> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  impl_->payment_ids = std::move(ids);
}

void Screener::Impl::apply_rules() {
  for (Account& a : accounts) a.flags &= static_cast<uint8_t>(~(kRedList | kAmberList | kGreenList));
  for (const auto& [list, bit] :
       {std::pair{&rules.red, kRedList}, {&rules.amber, kAmberList}, {&rules.green, kGreenList}})
    for (const std::string& e : *list) accounts[account(e)].flags |= bit;
  rule_name.clear();
  for (const Rule& r : rules.rules) rule_name.push_back(name_id(r.id));
  typ_score.assign(rules.typologies.size(), 0);
  typ_count.assign(rules.typologies.size(), 0);
  fired.reserve(rules.rules.size());
  snoozed.reserve(rules.rules.size());
  values.reserve(rules.conds.size());
}

bool Screener::Impl::snoozed_for(uint32_t name, int64_t t) const {
  auto check = [&](uint32_t entity) {
    if (entity == Interner::kNone || !(accounts[entity].flags & kHasSnooze)) return false;
    const int64_t* until = snoozes.find(pair_key(entity, name));
    return until && t < *until;
  };
  if (check(payer) || check(payee)) return true;
  return tx->has_wallet && check(ids.find(tx->wallet));
}

// Window bits of the distinct-count scratch set.
constexpr uint8_t kWeek = 1, kDay = 2, kMuleWindow = 4;

void Screener::Impl::compute(Group g) {
  computed |= 1u << static_cast<int>(g);
  const int64_t t = tx->time;
  auto I = [&](F f) -> int64_t& { return iv[static_cast<int>(f)]; };
  switch (g) {
    case Group::kTx: break;  // filled eagerly in screen()
    case Group::kPayerOut: {
      const Ring& r = accounts[payer].out;
      int64_t c1 = 0, c24 = 0, s1 = 0, s24 = 0, round = 0, night = 0, fresh = 0, pc = 0, ps = 0, distinct = 0;
      int64_t c7 = 0, pc7 = 0, distinct7 = 0, pair_last = -1, abroad7 = 0;
      const uint32_t n = r.size();
      distinct_reset();
      for (uint32_t i = 0; i < n; ++i) {
        const Event& e = r.at(i);
        if (e.time > t || e.time <= t - kLongWindow) continue;
        const bool day = e.time > t - 86400;
        const uint8_t first = distinct_add(e.counterparty(), kWeek | (day ? kDay : 0));
        ++c7;
        if (first & kWeek) ++distinct7;
        if (e.cp & Event::kPersonalAbroad) ++abroad7;
        if (e.counterparty() == payee) {
          ++pc7;
          if (i + 1 < n) pair_last = e.time;  // the newest event is this transaction
        }
        if (!day) continue;
        ++c24;
        s24 += e.amount;
        if (e.time > t - 3600) ++c1, s1 += e.amount;
        if (e.cp & Event::kRound) ++round;
        if (e.cp & Event::kNight) ++night;
        if (e.cp & Event::kNewPair) ++fresh;
        if (e.counterparty() == payee) ++pc, ps += e.amount;
        if (first & kDay) ++distinct;
      }
      I(F::kOutCount1) = c1, I(F::kOutCount24) = c24, I(F::kOutSum1) = s1, I(F::kOutSum24) = s24;
      I(F::kOutDistinct24) = distinct, I(F::kOutRound24) = round, I(F::kOutNight24) = night, I(F::kOutNew24) = fresh;
      I(F::kPairCount24) = pc, I(F::kPairSum24) = ps;
      I(F::kOutCount7) = c7, I(F::kOutDistinct7) = distinct7, I(F::kPairCount7) = pc7, I(F::kOutAbroad7) = abroad7;
      I(F::kPairSince) = pair_last < 0 ? kNever : t - pair_last;
      // The previous outgoing transaction (the newest is this one).
      int64_t since = kNever;
      if (n >= 2) {
        int64_t prev = r.at(n - 2).time;
        if (prev > t - 86400 && prev <= t) since = t - prev;
      }
      I(F::kSinceOut) = since;
      break;
    }
    case Group::kPayerIn: {
      const Ring& r = accounts[payer].in;
      const int64_t mw = rules.settings.mule_window_s;  // <= kLongWindow
      int64_t c = 0, s = 0, distinct = 0, last = -1, mule_payers = 0;
      int64_t c7 = 0, s7 = 0, distinct7 = 0, unrelated7 = 0;
      bool payee_paid_in = false;
      distinct_reset();
      for (uint32_t i = 0; i < r.size(); ++i) {
        const Event& e = r.at(i);
        if (e.time > t || e.time <= t - kLongWindow) continue;
        const bool day = e.time > t - 86400, mule = e.time > t - mw;
        const uint8_t first = distinct_add(e.counterparty(), kWeek | (day ? kDay : 0) | (mule ? kMuleWindow : 0));
        ++c7;
        s7 += e.amount;
        last = std::max<int64_t>(last, e.time);
        if (first & kWeek) {
          ++distinct7;
          // A payer this account never paid back.
          if (!pairs.find(pair_key(payer, e.counterparty()))) ++unrelated7;
        }
        if (first & kMuleWindow) ++mule_payers;
        if (mule && e.counterparty() == payee) payee_paid_in = true;
        if (!day) continue;
        ++c;
        s += e.amount;
        if (first & kDay) ++distinct;
      }
      I(F::kInCount24) = c, I(F::kInSum24) = s, I(F::kInDistinct24) = distinct;
      I(F::kInCount7) = c7, I(F::kInSum7) = s7, I(F::kInDistinct7) = distinct7, I(F::kInUnrelated7) = unrelated7;
      I(F::kSinceIn) = last < 0 ? kNever : t - last;
      I(F::kMule) = mule_payers >= rules.settings.mule_min_payers && last >= 0 && t - last < mw && !payee_paid_in;
      break;
    }
    case Group::kPayeeIn: {
      const Ring& r = accounts[payee].in;
      int64_t c1 = 0, c24 = 0, s = 0, distinct = 0, c7 = 0, distinct7 = 0, unrelated7 = 0;
      distinct_reset();
      for (uint32_t i = 0; i < r.size(); ++i) {
        const Event& e = r.at(i);
        if (e.time > t || e.time <= t - kLongWindow) continue;
        const bool day = e.time > t - 86400;
        const uint8_t first = distinct_add(e.counterparty(), kWeek | (day ? kDay : 0));
        ++c7;
        if (first & kWeek) {
          ++distinct7;
          if (!pairs.find(pair_key(payee, e.counterparty()))) ++unrelated7;
        }
        if (!day) continue;
        ++c24;
        s += e.amount;
        if (e.time > t - 3600) ++c1;
        if (first & kDay) ++distinct;
      }
      I(F::kPeIn1) = c1, I(F::kPeIn24) = c24, I(F::kPeInSum24) = s, I(F::kFanIn24) = distinct;
      I(F::kPeIn7) = c7, I(F::kFanIn7) = distinct7, I(F::kUnrelatedFanIn7) = unrelated7;
      break;
    }
    case Group::kPayeeOut: {
      const Ring& r = accounts[payee].out;
      int64_t c = 0;
      for (uint32_t i = 0; i < r.size(); ++i) {
        const Event& e = r.at(i);
        if (e.time <= t && e.time > t - 86400) ++c;
      }
      I(F::kPeOut24) = c;
      break;
    }
    case Group::kPairReverse: {
      const PairInfo* p = pairs.find(pair_key(payee, payer));
      int64_t n = p ? p->count : 0;
      if (payee == payer && n > 0) --n;  // a self-payment's own count
      I(F::kPairReverse) = n;
      break;
    }
    case Group::kBankWallet: {
      bool hit = false;
      if (tx->has_wallet && !payment_ids.empty()) {
        Digest d = payment_id_digest(tx->wallet);
        hit = std::binary_search(payment_ids.begin(), payment_ids.end(), d);
      }
      I(F::kWalletInBank) = hit;
      break;
    }
    case Group::kBankPayee: {
      bool hit = false;
      if (!payment_ids.empty()) {
        Digest d = payment_id_digest(tx->payee.id);
        hit = std::binary_search(payment_ids.begin(), payment_ids.end(), d);
      }
      I(F::kPayeeInBank) = hit;
      break;
    }
  }
}

bool Screener::Impl::test(const Condition& c, std::string_view* matched) {
  const FeatureInfo& fi = feature_info(c.feature);
  if (!(computed & (1u << static_cast<int>(fi.group)))) compute(fi.group);
  const int k = static_cast<int>(c.feature);
  const int64_t v = iv[k];
  if (v == kMissing) return false;
  if (fi.kind == Kind::kMemo) {
    if (!memo_done) {
      normalize_memo(tx->memo, memo_norm);
      memo_done = true;
    }
    for (const std::string& term : rules.term_sets[c.set])
      if (memo_has_term(memo_norm, term)) {
        *matched = term;
        return true;
      }
    return false;
  }
  if (fi.kind == Kind::kString) {
    const std::vector<std::string>& set = rules.str_sets[c.set];
    const std::string_view s = sv[k];
    switch (c.op) {
      case Op::kEq: return s == set[0];
      case Op::kNe: return s != set[0];
      case Op::kIn:
      case Op::kInList: return std::binary_search(set.begin(), set.end(), s);
      case Op::kNotIn: return !std::binary_search(set.begin(), set.end(), s);
      default: return false;
    }
  }
  switch (c.op) {
    case Op::kEq: return v == c.a;
    case Op::kNe: return v != c.a;
    case Op::kLt: return v < c.a;
    case Op::kLe: return v <= c.a;
    case Op::kGt: return v > c.a;
    case Op::kGe: return v >= c.a;
    case Op::kBetween: return v >= c.a && v <= c.b;
    case Op::kIn:
    case Op::kInList: {
      const auto& set = rules.int_sets[c.set];
      return std::binary_search(set.begin(), set.end(), v);
    }
    case Op::kNotIn: {
      const auto& set = rules.int_sets[c.set];
      return !std::binary_search(set.begin(), set.end(), v);
    }
  }
  return false;
}

const Decision& Screener::screen(const Transaction& tx) {
  uint32_t a = impl_->account(tx.payer.id);
  uint32_t b = impl_->account(tx.payee.id);
  return impl_->screen(tx, a, b);
}

void Screener::prepare(std::span<const Transaction> txs) {
  Impl& m = *impl_;
  uint64_t h[2 * kBatch];
  for (size_t k = 0; k < txs.size(); ++k) {
    h[2 * k] = Interner::hash(txs[k].payer.id);
    h[2 * k + 1] = Interner::hash(txs[k].payee.id);
    m.ids.prefetch(h[2 * k]);
    m.ids.prefetch(h[2 * k + 1]);
  }
  for (size_t k = 0; k < txs.size(); ++k) {
    uint32_t a = m.prepared[2 * k] = m.account(txs[k].payer.id, h[2 * k]);
    uint32_t b = m.prepared[2 * k + 1] = m.account(txs[k].payee.id, h[2 * k + 1]);
    __builtin_prefetch(&m.accounts[a]);
    __builtin_prefetch(&m.accounts[b]);
    m.pairs.prefetch(pair_key(a, b));
  }
}

const Decision& Screener::screen_prepared(const Transaction& tx, size_t k) {
  return impl_->screen(tx, impl_->prepared[2 * k], impl_->prepared[2 * k + 1]);
}

const Decision& Screener::Impl::screen(const Transaction& tx, uint32_t payer_idx, uint32_t payee_idx) {
  Impl& m = *this;
  m.tx = &tx;
  const int64_t t = tx.time;
  const Settings& st = m.rules.settings;
  m.payer = payer_idx;
  m.payee = payee_idx;

  // Pair history before this transaction.
  bool fresh = false;
  PairInfo& pair = m.pairs.get(pair_key(m.payer, m.payee), &fresh);
  int64_t prior = fresh ? 0 : pair.count;
  int64_t first_age = fresh ? 0 : t - static_cast<int64_t>(pair.first_time);
  if (fresh) pair.first_time = static_cast<uint32_t>(t);
  ++pair.count;

  // Transaction-level features.
  auto I = [&](F f) -> int64_t& { return m.iv[static_cast<int>(f)]; };
  auto S = [&](F f) -> std::string_view& { return m.sv[static_cast<int>(f)]; };
  int32_t offset_min = 0;
  if (!st.utc_offset_minutes.empty()) {
    auto it = st.utc_offset_minutes.find(tx.payer.country);
    if (it != st.utc_offset_minutes.end()) offset_min = it->second;
  }
  int64_t local = t + offset_min * 60;
  int64_t hour = ((local % 86400) + 86400) % 86400 / 3600;
  bool night = st.night_start_hour > st.night_end_hour ? (hour >= st.night_start_hour || hour < st.night_end_hour)
                                                       : (hour >= st.night_start_hour && hour < st.night_end_hour);
  bool round = tx.amount > 0 && tx.amount % st.round_unit == 0;
  I(F::kAmount) = tx.amount;
  I(F::kCurrency) = 0, S(F::kCurrency) = {};
  I(F::kChannelF) = static_cast<int64_t>(tx.channel);
  I(F::kHour) = hour, I(F::kNight) = night, I(F::kRound) = round;
  I(F::kMemoF) = tx.has_memo && !tx.memo.empty() ? 0 : kMissing;
  I(F::kHasMemo) = tx.has_memo && !tx.memo.empty();
  I(F::kMerchantCategory) = tx.has_merchant_category ? 0 : kMissing, S(F::kMerchantCategory) = tx.merchant_category;
  I(F::kHasMerchant) = tx.has_merchant_category;
  I(F::kWallet) = tx.has_wallet ? 0 : kMissing, S(F::kWallet) = tx.wallet;
  I(F::kHasWallet) = tx.has_wallet;
  bool both = tx.payer.country && tx.payee.country;
  I(F::kCrossBorder) = both ? tx.payer.country != tx.payee.country : kMissing;
  m.corridor.assign({static_cast<char>(tx.payer.country >> 8), static_cast<char>(tx.payer.country & 0xff), '-',
                     static_cast<char>(tx.payee.country >> 8), static_cast<char>(tx.payee.country & 0xff)});
  I(F::kCorridor) = both ? 0 : kMissing, S(F::kCorridor) = m.corridor;
  I(F::kPayerCountry) = tx.payer.country ? tx.payer.country : kMissing;
  I(F::kPayeeCountry) = tx.payee.country ? tx.payee.country : kMissing;
  I(F::kPayerAgeBand) = static_cast<int64_t>(tx.payer.age_band);
  I(F::kPayeeAgeBand) = static_cast<int64_t>(tx.payee.age_band);
  I(F::kPayerAgeDays) = tx.payer.account_age_days == kUnknownAge ? kMissing : tx.payer.account_age_days;
  I(F::kPayeeAgeDays) = tx.payee.account_age_days == kUnknownAge ? kMissing : tx.payee.account_age_days;
  I(F::kPairPrior) = prior, I(F::kPairFirstAge) = first_age;
  m.computed = 1u << static_cast<int>(Group::kTx);
  m.memo_done = false;
  m.cur[0] = static_cast<char>(tx.currency >> 16), m.cur[1] = static_cast<char>(tx.currency >> 8 & 0xff),
  m.cur[2] = static_cast<char>(tx.currency & 0xff);
  S(F::kCurrency) = std::string_view(m.cur, 3);

  // State update: this transaction joins both accounts' windows.
  uint32_t flags_bits = (round ? Event::kRound : 0) | (night ? Event::kNight : 0) | (fresh ? Event::kNewPair : 0) |
                        (I(F::kCrossBorder) == 1 && !tx.has_merchant_category ? Event::kPersonalAbroad : 0);
  Ring& out = m.accounts[m.payer].out;
  out.prune(t - kLongWindow);
  out.push(Event{static_cast<uint32_t>(t), (m.payee & Event::kIndexMask) | flags_bits, tx.amount});
  Ring& in = m.accounts[m.payee].in;
  in.prune(t - kLongWindow);
  in.push(Event{static_cast<uint32_t>(t), (m.payer & Event::kIndexMask) | flags_bits, tx.amount});

  // Rules.
  m.fired.clear();
  m.values.clear();
  m.snoozed.clear();
  std::fill(m.typ_score.begin(), m.typ_score.end(), 0);
  std::fill(m.typ_count.begin(), m.typ_count.end(), 0);
  const auto& rules = m.rules.rules;
  for (uint32_t ri = 0; ri < rules.size(); ++ri) {
    const Rule& r = rules[ri];
    const size_t mark = m.values.size();
    bool all = true;
    for (uint32_t ci = r.first; ci < r.first + r.count; ++ci) {
      std::string_view matched;
      const Condition& c = m.rules.conds[ci];
      if (!m.test(c, &matched)) {
        all = false;
        break;
      }
      const int k = static_cast<int>(c.feature);
      m.values.push_back({c.feature, m.iv[k], matched.empty() ? m.sv[k] : matched});
    }
    if (!all) {
      m.values.resize(mark);
      continue;
    }
    if (m.snoozed_for(m.rule_name[ri], t)) {
      m.values.resize(mark);
      m.snoozed.push_back(ri);
      ++m.counters[m.rule_name[ri]].snoozed;
      continue;
    }
    m.fired.push_back({ri, static_cast<uint32_t>(mark), static_cast<uint32_t>(m.values.size() - mark)});
    m.typ_score[r.typology] += r.weight;
    ++m.typ_count[r.typology];
  }

  Decision& d = m.decision;
  d.id = tx.id;
  d.score = 0;
  Outcome o = Outcome::kAllow;
  for (size_t ti = 0; ti < m.typ_score.size(); ++ti) {
    const Typology& ty = m.rules.typologies[ti];
    const int s = m.typ_score[ti];
    d.score = std::max(d.score, s);
    if (s >= ty.block && m.typ_count[ti] >= 2)
      o = Outcome::kBlock;
    else if (s >= ty.hold && o == Outcome::kAllow)
      o = Outcome::kHold;
  }
  // Entity lists.
  d.list = ListHit::kNone;
  d.list_entity = {};
  auto entity_flags = [&](uint8_t bits, std::string_view* who) -> bool {
    if (m.accounts[m.payer].flags & bits) return *who = tx.payer.id, true;
    if (m.accounts[m.payee].flags & bits) return *who = tx.payee.id, true;
    if (tx.has_wallet) {
      uint32_t w = m.ids.find(tx.wallet);
      if (w != Interner::kNone && (m.accounts[w].flags & bits)) return *who = tx.wallet, true;
    }
    return false;
  };
  if (entity_flags(kRedList, &d.list_entity)) {
    d.list = ListHit::kRed;
    o = Outcome::kBlock;
  } else if (entity_flags(kAmberList, &d.list_entity)) {
    d.list = ListHit::kAmber;
    if (o == Outcome::kAllow) o = Outcome::kHold;
  } else if (o == Outcome::kHold && entity_flags(kGreenList | kGreenRuntime, &d.list_entity)) {
    d.list = ListHit::kGreen;
    o = Outcome::kAllow;
  }
  d.outcome = o;
  d.fired = m.fired;
  d.values = m.values;
  d.snoozed = m.snoozed;

  ++m.screened;
  for (const FiredRule& f : m.fired) {
    Counters& c = m.counters[m.rule_name[f.rule]];
    ++c.fired;
    if (o != Outcome::kAllow) ++c.held;
  }
  if (o != Outcome::kAllow) {
    o == Outcome::kHold ? ++m.held : ++m.blocked;
    HoldRecord& h = m.holds[std::string(tx.id)];
    h.time = t;
    h.outcome = o;
    h.payer = m.payer;
    h.status = HoldRecord::kOpen;
    h.rule_names.clear();
    for (const FiredRule& f : m.fired) h.rule_names.push_back(m.rule_name[f.rule]);
  }
  return d;
}

}  // namespace chainbreak::payments
