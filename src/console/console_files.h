// The web console's files (ui/, built by Vite) served at / by `aimass serve`.
#pragma once

#include <filesystem>

#include "http/router.h"

namespace aimass::console {

// Makes `router` answer every GET that no API route matches from the built console in
// `ui_dir` (its index.html, assets/ and other files): a file that exists is sent, with
// its .gz twin when the client accepts gzip; any other path that is not under /assets/ gets
// index.html, so the console's own pages (/models/credit) load from a link or a reload.
// Hashed assets are cached for a year, index.html is revalidated each time. Paths with ".."
// or a backslash, links and anything that leaves `ui_dir` are 404. Without index.html in
// `ui_dir`, / answers a page saying how to build the console.
void ServeConsole(http::Router& router, std::filesystem::path ui_dir);

// The Content-Security-Policy of the console's pages: its own scripts, styles and API only.
inline constexpr const char* kConsolePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

}  // namespace aimass::console
