// A small XML document tree read with expat, for the short documents of the
// CyberTipline protocol (reports, file details, responses): whole document
// in memory, element names without namespace prefixes, text of each element
// concatenated (mixed content is not kept in order). Also the escaping used
// by the writers.
//
// Limits: input over max_bytes, elements nested deeper than 64, more than
// 100,000 elements, or any DOCTYPE declaration (no entity expansion) are
// refused with kInvalidInput. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace chainbreak::reports {

struct XmlElement {
  std::string name;                                             // local name (after any "prefix:")
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order, names as written
  std::string text;                                             // all character data directly inside, untrimmed
  std::vector<XmlElement> children;                             // in document order

  // First child with this local name, or nullptr.
  const XmlElement* child(std::string_view name) const;
  // Every child with this local name, in order.
  std::vector<const XmlElement*> children_named(std::string_view name) const;
  // The attribute's value (by name or local name), or nullptr.
  const std::string* attribute(std::string_view name) const;
  // text without leading/trailing XML whitespace.
  std::string trimmed_text() const;
};

// Parses a whole document. kInvalidInput "XML not well-formed at line L,
// column C: <expat reason>" for malformed input, or a limit reason.
Result<XmlElement> parse_xml(std::string_view document, size_t max_bytes = 16u << 20);

// Escapes text for element content or a double-quoted attribute value:
// & < > " ' become entities; tab, newline and carriage return are written
// as character references in attributes only. Other control characters
// (not allowed in XML 1.0) are dropped by validate, not here.
std::string xml_escape(std::string_view text, bool attribute = false);

// True when s is valid UTF-8 without characters XML 1.0 forbids (control
// characters other than tab, newline, carriage return; U+FFFE, U+FFFF).
bool is_xml_text(std::string_view s);

}  // namespace chainbreak::reports
