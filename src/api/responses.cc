// What more than one resource shares: the JSON object body, 204, and a file streamed to the
// client.
#include <cstdio>
#include <memory>
#include <system_error>

#include "api/routes.h"
#include "data/json_depth.h"

namespace aimass::api {
namespace fs = std::filesystem;

Result<nlohmann::json> ObjectBody(const http::Request& request, std::string_view example) {
  AIMASS_RETURN_IF_ERROR(data::CheckJsonDepth(request.body));
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "send a JSON object like " + std::string(example));
  }
  return body;
}

http::Response NoContent() {
  http::Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

namespace {

// A file to stream, removed afterwards when it was made for this response.
struct StreamedFile {
  fs::path path;
  bool remove_after = false;
  ~StreamedFile() {
    std::error_code ec;
    if (remove_after) fs::remove(path, ec);
  }
};

}  // namespace

http::Response FileResponse(fs::path path, const std::string& filename,
                            const std::string& content_type, bool remove_after) {
  auto file = std::make_shared<StreamedFile>();  // one owner, shared with the stream
  file->path = std::move(path);
  file->remove_after = remove_after;
  http::Response response;
  response.content_type = content_type;
  response.headers.push_back({"Content-Disposition", "attachment; filename=\"" + filename + "\""});
  response.stream = [file](const http::ChunkWriter& write) -> Status {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file->path.c_str(), "rb"), &std::fclose);
    if (!in) return Fail(ErrorCode::kInternal, "cannot open " + file->path.string());
    std::string buffer(1 << 20, '\0');
    while (size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get())) {
      if (!write(std::string_view(buffer.data(), n))) return Ok();
    }
    return Ok();
  };
  return response;
}

}  // namespace aimass::api
