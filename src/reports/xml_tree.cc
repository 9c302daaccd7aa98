#include "reports/xml_tree.h"

#include <expat.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "util/text.h"

namespace chainbreak::reports {
namespace {

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxElements = 100'000;

std::string_view local_name(std::string_view n) {
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Builder {
  XML_Parser parser = nullptr;
  XmlElement root;
  bool have_root = false;
  std::vector<XmlElement*> stack;
  size_t elements = 0;
  std::string stop_reason;

  void stop(std::string reason) {
    if (stop_reason.empty()) stop_reason = std::move(reason);
    XML_StopParser(parser, XML_FALSE);
  }

  static void XMLCALL on_start(void* self, const XML_Char* name, const XML_Char** atts) {
    auto* b = static_cast<Builder*>(self);
    if (b->stack.size() >= kMaxDepth) return b->stop("elements nested deeper than " + std::to_string(kMaxDepth));
    if (++b->elements > kMaxElements) return b->stop("more than " + std::to_string(kMaxElements) + " elements");
    XmlElement* e = nullptr;
    if (b->stack.empty()) {
      e = &b->root;  // expat itself refuses a second root element
      b->have_root = true;
    } else {
      e = &b->stack.back()->children.emplace_back();
    }
    e->name = std::string(local_name(name));
    for (int i = 0; atts[i] != nullptr; i += 2) e->attributes.emplace_back(atts[i], atts[i + 1]);
    b->stack.push_back(e);
  }
  static void XMLCALL on_end(void* self, const XML_Char*) { static_cast<Builder*>(self)->stack.pop_back(); }
  static void XMLCALL on_text(void* self, const XML_Char* s, int len) {
    auto* b = static_cast<Builder*>(self);
    if (!b->stack.empty()) b->stack.back()->text.append(s, static_cast<size_t>(len));
  }
  static void XMLCALL on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<Builder*>(self)->stop("DOCTYPE declarations are not accepted");
  }
};

struct ParserDeleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view n) const {
  for (const XmlElement& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view n) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

const std::string* XmlElement::attribute(std::string_view n) const {
  for (const auto& [k, v] : attributes)
    if (k == n || local_name(k) == n) return &v;
  return nullptr;
}

std::string XmlElement::trimmed_text() const {
  std::string_view s = text;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Result<XmlElement> parse_xml(std::string_view document, size_t max_bytes) {
  if (document.size() > max_bytes) return InvalidInput("XML document over " + std::to_string(max_bytes) + " bytes");
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (!parser) return Internal("expat: out of memory");
  Builder b;
  b.parser = parser.get();
  XML_SetUserData(b.parser, &b);
  XML_SetElementHandler(b.parser, &Builder::on_start, &Builder::on_end);
  XML_SetCharacterDataHandler(b.parser, &Builder::on_text);
  XML_SetStartDoctypeDeclHandler(b.parser, &Builder::on_doctype);
  // expat takes an int length: feed in pieces.
  constexpr size_t kPiece = 1u << 30;
  size_t off = 0;
  XML_Status st = XML_STATUS_OK;
  do {
    const size_t n = std::min(kPiece, document.size() - off);
    const bool last = off + n == document.size();
    st = XML_Parse(b.parser, document.data() + off, static_cast<int>(n), last ? XML_TRUE : XML_FALSE);
    off += n;
  } while (st == XML_STATUS_OK && off < document.size());
  if (!b.stop_reason.empty())
    return InvalidInput("line " + std::to_string(XML_GetCurrentLineNumber(b.parser)) + ": " + b.stop_reason);
  if (st != XML_STATUS_OK || !b.have_root)
    return InvalidInput("XML not well-formed at line " + std::to_string(XML_GetCurrentLineNumber(b.parser)) +
                        ", column " + std::to_string(XML_GetCurrentColumnNumber(b.parser) + 1) + ": " +
                        (b.have_root ? XML_ErrorString(XML_GetErrorCode(b.parser)) : "no element found"));
  return std::move(b.root);
}

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would be normalised away by the reader
      default: out += c;
    }
  }
  return out;
}

bool is_xml_text(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const int32_t cp = decode_utf8(s, &i);
    if (cp < 0 || cp == 0xFFFE || cp == 0xFFFF) return false;
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return false;
  }
  return true;
}

}  // namespace chainbreak::reports
