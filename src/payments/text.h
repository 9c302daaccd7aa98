// Text normalisation for memo terms and payment identifiers.
//
// Memo normalisation (the same for memos and for list terms): ASCII and
// Latin letters lower-cased, accents stripped from Latin letters (U+00C0 to
// U+017F map to their base letter: "é" -> "e", "ß" -> "ss"), Cyrillic and
// Greek capitals lower-cased, every other ASCII character that is not a
// letter or digit and the general punctuation block (U+2000..U+206F, e.g.
// curly quotes) become a space, runs of spaces collapse to one, and the
// result starts and ends with one space (" please stop "), so that a term
// matches on word boundaries by plain substring search.
//
// Payment-id normalisation: ASCII whitespace removed, ASCII lower-cased, one
// leading '@' dropped ("@Some.Handle " -> "some.handle"). Banks hold
// SHA-256(normalised id) as type sha256, never the raw identifier.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chainbreak::payments {

// Replaces out with the normalised memo (with the surrounding spaces).
void normalize_memo(std::string_view in, std::string& out);
// True when normalised term (as produced by normalize_memo) occurs in the
// normalised memo on word boundaries.
inline bool memo_has_term(std::string_view memo_norm, std::string_view term_norm) {
  return term_norm.size() > 2 && memo_norm.find(term_norm) != std::string_view::npos;
}

void normalize_payment_id(std::string_view in, std::string& out);
using Digest = std::array<uint8_t, 32>;
// SHA-256 of the normalised identifier.
Digest payment_id_digest(std::string_view raw_id);
// Lower-case hex of a digest, and back (false unless 64 hex digits).
std::string digest_hex(const Digest& d);
bool parse_digest_hex(std::string_view hex, Digest* out);

}  // namespace chainbreak::payments
