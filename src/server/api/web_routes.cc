// The web pages: the public reporting portal (/report) and the review
// console (/console), compiled into the binary from web/ (see
// cmake/EmbedDir.cmake). Only our own files: no third-party assets. The
// portal's language is negotiated from ?lang= or Accept-Language and
// written into <html lang dir> (the page's script does the rest).
#include <algorithm>
#include <cctype>
#include <string_view>

#include "server/api/api_internal.h"

namespace chainbreak::web {
struct EmbeddedFile {
  const char* path;
  const char* data;
  unsigned long size;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const unsigned long kEmbeddedFileCount;
}  // namespace chainbreak::web

namespace chainbreak::api {

namespace {

constexpr std::string_view kLanguages[] = {"en", "es", "fr", "pt", "fil", "ar"};

const web::EmbeddedFile* find_file(std::string_view path) {
  for (unsigned long i = 0; i < web::kEmbeddedFileCount; ++i) {
    if (path == web::kEmbeddedFiles[i].path) return &web::kEmbeddedFiles[i];
  }
  return nullptr;
}

std::string content_type(std::string_view path) {
  auto ends = [&](std::string_view e) { return path.ends_with(e); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

// The first supported language in ?lang= or Accept-Language ("en" when
// none): "es-MX;q=0.9" counts as es, "tl" as fil.
std::string negotiate(const http::Request& req) {
  auto supported = [](std::string tag) -> std::string {
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string base = tag.substr(0, tag.find_first_of("-_"));
    if (base == "tl") base = "fil";
    for (auto l : kLanguages) {
      if (base == l) return base;
    }
    return "";
  };
  if (auto q = req.query_param("lang")) {
    if (auto l = supported(std::string(*q)); !l.empty()) return l;
  }
  if (const std::string* al = req.header("accept-language")) {
    // Highest q first; ties keep their order.
    std::vector<std::pair<double, std::string>> prefs;
    size_t start = 0;
    while (start < al->size()) {
      size_t comma = al->find(',', start);
      if (comma == std::string::npos) comma = al->size();
      std::string item = al->substr(start, comma - start);
      start = comma + 1;
      double q = 1.0;
      if (size_t semi = item.find(';'); semi != std::string::npos) {
        if (size_t eq = item.find("q=", semi); eq != std::string::npos) q = std::atof(item.c_str() + eq + 2);
        item.resize(semi);
      }
      item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
      prefs.emplace_back(q, item);
    }
    std::stable_sort(prefs.begin(), prefs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [q, tag] : prefs) {
      if (q <= 0) continue;
      if (auto l = supported(tag); !l.empty()) return l;
    }
  }
  return "en";
}

void send_file(http::Response& res, const web::EmbeddedFile& f) {
  res.status = 200;
  res.content_type = content_type(f.path);
  res.body.assign(f.data, f.size);
  // Our own files only, no framing, no referrer, no caching of the pages.
  res.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'; form-action 'self'");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Cache-Control", "no-store");
}

}  // namespace

void Api::Impl::add_web_routes() {
  route("GET", "/report", 0, [](Ctx&, http::Request& req, http::Response& res) {
    const web::EmbeddedFile* f = find_file("portal/index.html");
    if (!f) return http::json_error(res, 404, "not_found", "the portal is not built into this binary");
    send_file(res, *f);
    const std::string lang = negotiate(req);
    const std::string from = "<html lang=\"en\" dir=\"ltr\">";
    if (size_t at = res.body.find(from); at != std::string::npos) {
      res.body.replace(at, from.size(), "<html lang=\"" + lang + "\" dir=\"" + (lang == "ar" ? "rtl" : "ltr") + "\">");
    }
    res.headers.emplace_back("Content-Language", lang);
    res.headers.emplace_back("Vary", "Accept-Language");
  });
  route("GET", "/console", 0, [](Ctx&, http::Request&, http::Response& res) {
    const web::EmbeddedFile* f = find_file("console/index.html");
    if (!f) return http::json_error(res, 404, "not_found", "the console is not built into this binary");
    send_file(res, *f);
  });
  auto asset = [](const char* dir) {
    return [dir](Ctx&, http::Request& req, http::Response& res) {
      std::string path = std::string(dir) + "/";
      if (std::string_view sub = req.param("sub"); !sub.empty()) path += std::string(sub) + "/";
      path += std::string(req.param("file"));
      const web::EmbeddedFile* f = path.find("..") == std::string::npos ? find_file(path) : nullptr;
      if (!f) return http::json_error(res, 404, "not_found", "no such file", "path");
      send_file(res, *f);
    };
  };
  route("GET", "/report/assets/{file}", 0, asset("portal"));
  route("GET", "/report/assets/{sub}/{file}", 0, asset("portal"));
  route("GET", "/console/assets/{file}", 0, asset("console"));
  route("GET", "/console/assets/{sub}/{file}", 0, asset("console"));
}

}  // namespace chainbreak::api
