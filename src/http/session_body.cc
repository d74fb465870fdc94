// Reading a request body within its route's limit: into Request::body, or into a temp
// file in upload_dir as it arrives, so an upload never sits whole in memory.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "http/session.h"

namespace aimass::http {

namespace {

constexpr size_t kUploadChunk = 256 * 1024;
constexpr size_t kReadBuffer = 64 * 1024;
constexpr size_t kMinBufferedGrowth = 64 * 1024;

bool IsHttpError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category();
}

}  // namespace

void Session::ReadBody() {
  // Beast reads into buffer_ as much as its free capacity (at least 512 bytes): without
  // room, a large upload arrives in ~700-byte reads and costs a syscall each.
  if (buffer_.capacity() < kReadBuffer) buffer_.reserve(kReadBuffer);
  auto& body = parser_->get().body();
  if (route_->body == BodyMode::kBuffered) {
    std::string& dst = request_.body;
    uint64_t want = dst.size();
    if (auto length = parser_->content_length()) {
      want = std::max<uint64_t>(want, *length);  // checked against the limit already
    } else if (body_used_ == dst.size()) {
      // Chunked: grow geometrically, up to one byte past the limit to notice crossing it.
      want = std::min<uint64_t>(body_limit_ + 1,
                                std::max<uint64_t>(kMinBufferedGrowth, dst.size() * 2));
    }
    if (want > dst.size()) {
      // The parser overwrites the new bytes, so skip zero-filling them.
      dst.resize_and_overwrite(want, [](char*, size_t n) { return n; });
    }
    body.data = dst.data() + body_used_;
    body.size = dst.size() - body_used_;
  } else {
    if (!chunk_) chunk_ = std::make_unique<char[]>(kUploadChunk);
    body.data = chunk_.get();
    body.size = kUploadChunk;
  }
  read_capacity_ = body.size;
  WithStream([this](auto& stream) {
    bhttp::async_read(stream, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->OnBody(ec);
                      });
  });
}

void Session::OnBody(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  size_t got = read_capacity_ - parser_->get().body().size;
  if (ec == bhttp::error::need_buffer) ec = {};
  if (ec) {
    if (ec == bhttp::error::body_limit) return Reject(TooLarge());
    if (timed_out_) {
      return Reject(ErrorResponse(
          408, "request_timeout",
          "the request body did not arrive within " +
              std::to_string(context_.options.request_timeout.count()) +
              " s (" + std::to_string(body_used_) + " bytes came); send it faster or raise "
              "--request-timeout"));
    }
    // A body cut off midway never reaches the handler.
    if (IsHttpError(ec) && ec != bhttp::error::partial_message) {
      return Reject(ErrorResponse(Error{
          ErrorCode::kInvalidArgument,
          "malformed request body (" + ec.message() + "); check the chunked encoding"}));
    }
    return Close();
  }

  body_used_ += got;
  if (body_used_ > body_limit_) return Reject(TooLarge());
  if (route_->body == BodyMode::kFile) {
    std::string error;
    if (!AppendToUploadFile(chunk_.get(), got, &error)) {
      return Reject(ErrorResponse(Error{ErrorCode::kInternal, error}));
    }
    ExtendTimer(context_.options.request_timeout);  // time per progress for uploads
  }
  if (parser_->is_done()) {
    body_unread_ = false;
    if (route_->body == BodyMode::kBuffered) request_.body.resize(body_used_);
    return Dispatch();
  }
  ReadBody();
}

Response Session::TooLarge() const {
  std::string size;
  if (auto length = parser_->content_length()) {
    size = "is " + std::to_string(*length) + " bytes";
  } else {
    size = "passed " + std::to_string(body_limit_) + " bytes";
  }
  std::string fix = route_->body == BodyMode::kFile
                        ? "raise --max-upload-bytes"
                        : "raise --max-body-bytes or upload the file as a dataset";
  return ErrorResponse(Error{ErrorCode::kPayloadTooLarge,
                             "request body " + size + ", over the limit of " +
                                 std::to_string(body_limit_) + "; " + fix});
}

bool Session::OpenUploadFile(std::string* error) {
  uint64_t n = context_.next_upload.fetch_add(1);
  upload_path_ = context_.options.upload_dir /
                 ("upload-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".part");
  upload_fd_ = ::open(upload_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (upload_fd_ < 0) {
    *error = "cannot create the upload file " + upload_path_.string() + ": " +
             std::strerror(errno) + "; check that --upload-dir exists and is writable";
    upload_path_.clear();
    return false;
  }
  return true;
}

bool Session::AppendToUploadFile(const char* data, size_t size, std::string* error) {
  while (size > 0) {
    ssize_t n = ::write(upload_fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = "cannot write the upload file " + upload_path_.string() + ": " +
               std::strerror(errno) + "; free disk space in --upload-dir";
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void Session::DiscardUpload() {
  if (upload_fd_ >= 0) {
    ::close(upload_fd_);
    upload_fd_ = -1;
  }
  if (!upload_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(upload_path_, ignored);
    upload_path_.clear();
  }
}

}  // namespace aimass::http
