#include "console/console_files.h"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include "http/response.h"

namespace aimass::console {
namespace fs = std::filesystem;

namespace {

std::string_view ContentTypeOf(const fs::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".json" || extension == ".map") return "application/json";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".woff2") return "font/woff2";
  if (extension == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// The path's parts below the console's folder; nullopt for one that could leave it.
std::optional<fs::path> RelativePath(std::string_view path) {
  fs::path relative;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == ".." || part.find('\\') != std::string_view::npos ||
        part.find('\0') != std::string_view::npos || part.front() == '.') {
      return std::nullopt;
    }
    relative /= std::string(part);
  }
  return relative;
}

bool IsPlainFile(const fs::path& file) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(file, ec));
}

std::optional<std::string> ReadWhole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

bool AcceptsGzip(const http::Request& request) {
  return request.Header("Accept-Encoding").find("gzip") != std::string::npos;
}

http::Response NotFound(std::string_view path) {
  return http::ErrorResponse(
      Error{ErrorCode::kNotFound, "the web console has no file " + std::string(path)});
}

http::Response NotBuilt(const fs::path& ui_dir) {
  http::Response response;
  response.content_type = "text/html; charset=utf-8";
  response.body =
      "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>aimass</title>"
      "<h1>aimass</h1><p>The web console is not built in " +
      ui_dir.string() +
      ". Build it with <code>scripts/build</code> (it needs npm), or start the server with "
      "<code>--ui-dir</code> naming a built console. The REST API is at <code>/api/v1</code> "
      "(docs/api.md).</p></html>";
  return response;
}

http::Response Serve(const fs::path& ui_dir, const http::Request& request) {
  const std::string& path = request.params.at("path");
  if (!IsPlainFile(ui_dir / "index.html")) return NotBuilt(ui_dir);
  auto relative = RelativePath(path);
  if (!relative) return NotFound(path);
  const bool is_asset = path.starts_with("/assets/");
  fs::path file = ui_dir / *relative;
  if (relative->empty() || !IsPlainFile(file)) {
    // A page of the console (/models/credit): the app decides what it shows.
    if (is_asset || relative->has_extension()) return NotFound(path);
    file = ui_dir / "index.html";
  }
  http::Response response;
  response.content_type = std::string(ContentTypeOf(file));
  std::optional<std::string> bytes;
  const fs::path zipped = fs::path(file.string() + ".gz");
  if (AcceptsGzip(request) && IsPlainFile(zipped)) {
    bytes = ReadWhole(zipped);
    if (bytes) response.headers.emplace_back("Content-Encoding", "gzip");
  }
  if (!bytes) bytes = ReadWhole(file);
  if (!bytes) return NotFound(path);
  response.body = std::move(*bytes);
  response.headers.emplace_back("Vary", "Accept-Encoding");
  // Vite names assets by their content's hash: a new build has new names.
  response.headers.emplace_back("Cache-Control",
                                is_asset ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("Content-Security-Policy", kConsolePolicy);
  return response;
}

}  // namespace

void ServeConsole(http::Router& router, fs::path ui_dir) {
  router.SetFallback(
      {"GET", "/{console files}", http::Access::kPublic, http::BodyMode::kBuffered,
       [ui_dir = std::move(ui_dir)](http::Request& request) { return Serve(ui_dir, request); }});
}

}  // namespace aimass::console
