// chainbreak-gen-payments: deterministic synthetic labelled payment streams
// for the payment screening engine (issue 6), one JSON object per line in
// time order, with the ground truth in a "label" object the engine ignores.
//   usage: chainbreak-gen-payments --seed N --accounts N --days D
//            [--episodes-per-typology K] [--scale-benign F] [--stats] > stream.jsonl
// The format, every pattern and the published indicator it follows are in
// docs/PAYMENT_STREAMS.md.
#include "gen_payments.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using paygen::Event;
using paygen::World;

// Output buffer with the few formatting helpers the lines need.
class Out {
 public:
  ~Out() { flush(); }
  void put(char c) { buf_.push_back(c); }
  void put(const char* s) { buf_.append(s); }
  void uint(uint64_t v, int width = 0) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    for (int i = n; i < width; ++i) buf_.push_back('0');
    while (n > 0) buf_.push_back(tmp[--n]);
  }
  void str(const char* s) {  // a JSON string
    buf_.push_back('"');
    for (; *s; ++s) {
      const unsigned char c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') {
        buf_.push_back('\\');
        buf_.push_back(static_cast<char>(c));
      } else if (c < 0x20) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", c);
        buf_.append(esc);
      } else {
        buf_.push_back(static_cast<char>(c));
      }
    }
    buf_.push_back('"');
  }
  void maybe_flush() {
    if (buf_.size() > (1u << 20)) flush();
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size()) failed = true;
    buf_.clear();
  }
  bool failed = false;

 private:
  std::string buf_;
};

// "2026-03-01" for day 0 onwards (civil calendar from days since 1970-01-01).
std::string date_of(int day) {
  int64_t z = 20513 + day + 719468;  // 20513: 2026-03-01
  const int64_t era = z / 146097, doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  char s[48];
  std::snprintf(s, sizeof s, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  return s;
}

void party(Out& o, const World& w, uint32_t id, int day) {
  o.put("{\"id\":\"");
  int country, band, age;
  if (id < paygen::kExternalBit) {
    o.put('c');
    o.uint(id, 7);
    country = w.cust_country(id);
    band = w.cust_band(id);
    age = w.cust_age_days(id);
  } else {
    const paygen::Party& p = w.party(id);
    o.put(id & paygen::kMerchantBit ? 'm' : 'x');
    o.uint(id & paygen::kIndexMask, id & paygen::kMerchantBit ? 6 : 7);
    country = p.country;
    band = p.band;
    age = p.age_days;
  }
  o.put("\",\"country\":\"");
  o.put(paygen::kCountries[country].code);
  o.put("\",\"age_band\":\"");
  o.put(paygen::kBandNames[band]);
  o.put("\",\"account_age_days\":");
  o.uint(static_cast<uint64_t>(age + day));
  o.put('}');
}

void wallet_address(Out& o, uint64_t seed) {
  static const char kBech32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  o.put("\"bc1q");
  uint64_t h = seed;
  for (int i = 0; i < 38; ++i) {
    if (i % 12 == 0) h = paygen::mix(seed, static_cast<uint64_t>(i));
    o.put(kBech32[h & 31]);
    h >>= 5;
  }
  o.put('"');
}

void line(Out& o, const World& w, const Event& e, uint64_t n, const std::vector<std::string>& dates) {
  const int day = static_cast<int>(e.t / 86400);
  const int64_t s = e.t % 86400;
  o.put("{\"id\":\"p");
  o.uint(n, 10);
  o.put("\",\"time\":\"");
  o.put(dates[static_cast<size_t>(day)].c_str());
  o.put('T');
  o.uint(static_cast<uint64_t>(s / 3600), 2);
  o.put(':');
  o.uint(static_cast<uint64_t>(s / 60 % 60), 2);
  o.put(':');
  o.uint(static_cast<uint64_t>(s % 60), 2);
  o.put("Z\",\"amount\":\"");
  o.uint(static_cast<uint64_t>(e.cents / 100));
  o.put('.');
  o.uint(static_cast<uint64_t>(e.cents % 100), 2);
  o.put("\",\"currency\":\"");
  const uint32_t customer = e.payer < paygen::kExternalBit ? e.payer : e.payee;
  o.put(paygen::kCountries[w.country_of(customer)].currency);
  o.put("\",\"channel\":\"");
  o.put(paygen::kChannelNames[e.channel]);
  o.put("\",\"payer\":");
  party(o, w, e.payer, day);
  o.put(",\"payee\":");
  party(o, w, e.payee, day);
  if (e.memo) {
    o.put(",\"memo\":");
    o.str(e.memo);
  }
  if (e.payee & paygen::kMerchantBit) {
    o.put(",\"merchant_category\":\"");
    o.uint(w.party(e.payee).mcc, 4);
    o.put('"');
  }
  if (e.wallet) {
    o.put(",\"wallet\":");
    wallet_address(o, e.wallet);
  }
  o.put(",\"label\":{\"kind\":\"");
  o.put(paygen::kKindNames[e.kind]);
  o.put("\",\"pattern\":\"");
  o.put(paygen::kPatternNames[e.pattern]);
  if (e.episode) {
    o.put("\",\"episode\":\"");
    o.put(paygen::kEpisodePrefix[e.pattern]);
    o.put('-');
    o.uint(e.episode, 6);
    o.put("\",\"seq\":");
    o.uint(e.seq);
    if (e.role) o.put(e.role == paygen::kInbound ? ",\"role\":\"inbound\"" : ",\"role\":\"onward\"");
  } else {
    o.put("\",\"episode\":null,\"seq\":null");
  }
  o.put("}}\n");
}

bool by_time(const Event& a, const Event& b) { return a.t != b.t ? a.t < b.t : a.order < b.order; }

int usage() {
  std::fprintf(stderr,
               "usage: chainbreak-gen-payments --seed N --accounts N --days D [--episodes-per-typology K]\n"
               "                               [--scale-benign F] [--stats] > stream.jsonl\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  paygen::Options opt;
  bool stats = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--stats") {
      stats = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    char* end = nullptr;
    const char* v = argv[++i];
    if (a == "--seed") {
      opt.seed = std::strtoull(v, &end, 10);
    } else if (a == "--accounts") {
      opt.accounts = static_cast<uint32_t>(std::strtoul(v, &end, 10));
    } else if (a == "--days") {
      opt.days = static_cast<int>(std::strtol(v, &end, 10));
    } else if (a == "--episodes-per-typology") {
      opt.episodes = static_cast<uint32_t>(std::strtoul(v, &end, 10));
    } else if (a == "--scale-benign") {
      opt.scale_benign = std::strtod(v, &end);
    } else {
      return usage();
    }
    if (!end || *end) return usage();
  }
  if (opt.accounts < 100 || opt.accounts >= paygen::kExternalBit || opt.days < 1 || opt.days > 3650 ||
      opt.scale_benign < 0 || opt.episodes > opt.accounts / 20) {
    std::fprintf(stderr,
                 "chainbreak-gen-payments: need 100 <= accounts < 2^30, 1 <= days <= 3650, scale-benign >= 0 and\n"
                 "  episodes-per-typology <= accounts / 20\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  World w(opt);
  paygen::add_harmful(w);
  paygen::add_lookalikes(w);
  // Episodes in time order, cut at the end of the stream; seq is renumbered
  // so that it always counts the episode's payments in time order.
  std::vector<Event>& ev = w.episodes_events;
  const int64_t end_t = static_cast<int64_t>(opt.days) * 86400;
  ev.erase(std::remove_if(ev.begin(), ev.end(), [&](const Event& e) { return e.t >= end_t; }), ev.end());
  std::sort(ev.begin(), ev.end(), by_time);
  {
    std::vector<uint16_t> seq(static_cast<size_t>(ev.empty() ? 1 : ev.back().episode + 1), 0);
    for (auto& e : ev) {
      if (e.episode >= seq.size()) seq.resize(e.episode + 1, 0);
      e.seq = ++seq[e.episode];
    }
  }
  std::vector<std::string> dates;
  for (int d = 0; d < opt.days; ++d) dates.push_back(date_of(d));
  Out o;
  uint64_t n = 0, kinds[4] = {0, 0, 0, 0};
  size_t next = 0;
  std::vector<Event> day_events;
  for (int d = 0; d < opt.days; ++d) {
    day_events.clear();
    paygen::add_background(w, d, day_events);
    const int64_t day_end = static_cast<int64_t>(d + 1) * 86400;
    for (; next < ev.size() && ev[next].t < day_end; ++next) {
      day_events.push_back(ev[next]);
      day_events.back().order |= uint64_t{1} << 63;  // after background at the same second
    }
    std::sort(day_events.begin(), day_events.end(), by_time);
    for (const Event& e : day_events) {
      line(o, w, e, ++n, dates);
      ++kinds[e.kind];
      o.maybe_flush();
    }
  }
  o.flush();
  if (o.failed || std::fflush(stdout) != 0) {
    std::perror("chainbreak-gen-payments: write");
    return 1;
  }
  if (stats) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "lines %llu (benign %llu, sextortion %llu, livestream_buyer %llu, mule %llu), episodes %u, "
                 "%.2f s, %.0f lines/s\n",
                 static_cast<unsigned long long>(n), static_cast<unsigned long long>(kinds[0]),
                 static_cast<unsigned long long>(kinds[1]), static_cast<unsigned long long>(kinds[2]),
                 static_cast<unsigned long long>(kinds[3]), w.new_episode() - 1, secs, static_cast<double>(n) / secs);
  }
  return 0;
}
