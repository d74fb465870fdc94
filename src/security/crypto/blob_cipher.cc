#include "security/crypto/blob_cipher.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "common/files.h"
#include "common/hash.h"
#include "security/secret_file.h"

namespace aimass::security::crypto {
namespace fs = std::filesystem;
namespace {

constexpr size_t kAbytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kStreamHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kKeyIdOffset = 9;
constexpr size_t kKeyIdBytes = 8;
constexpr size_t kStreamHeaderOffset = kKeyIdOffset + kKeyIdBytes;
constexpr size_t kLengthBytes = 4;
static_assert(kKeyIdOffset == kEncryptedMagic.size() + 1);
static_assert(kEncryptedHeaderSize == kStreamHeaderOffset + kStreamHeaderBytes);
static_assert(kChunkOverhead == kLengthBytes + kAbytes);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == SecretKey::kSize);

// Wipes the stream state, which holds a key derived from the data key, on every return.
struct StreamState {
  crypto_secretstream_xchacha20poly1305_state state;
  ~StreamState() { sodium_memzero(&state, sizeof state); }
};

// Reads up to `size` bytes; fewer only at the end of the input.
class Source {
 public:
  virtual ~Source() = default;
  virtual Result<size_t> Read(unsigned char* out, size_t size) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(const unsigned char* data, size_t size) = 0;
};

// Owns a descriptor and reads or writes it whole, retrying short transfers and EINTR.
class FileStream final : public Source, public Sink {
 public:
  FileStream(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~FileStream() override { Close(); }
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  Result<size_t> Read(unsigned char* out, size_t size) override {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::read(fd_, out + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("cannot read", path_);
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }
  Status Write(const unsigned char* data, size_t size) override {
    if (!WriteAll(fd_, std::string_view(reinterpret_cast<const char*>(data), size))) {
      return IoError("cannot write", path_);
    }
    return Ok();
  }
  Status SyncAndClose() {
    bool synced = ::fsync(fd_) == 0;
    if (!synced) {
      auto error = IoError("cannot sync", path_);
      Close();
      return error;
    }
    if (::close(std::exchange(fd_, -1)) != 0) return IoError("cannot close", path_);
    return Ok();
  }
  void Close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
  fs::path path_;
};

class BytesSource final : public Source {
 public:
  explicit BytesSource(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> Read(unsigned char* out, size_t size) override {
    size_t n = std::min(size, bytes_.size());
    std::memcpy(out, bytes_.data(), n);
    bytes_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view bytes_;
};

class StringSink final : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status Write(const unsigned char* data, size_t size) override {
    out_.append(reinterpret_cast<const char*>(data), size);
    return Ok();
  }

 private:
  std::string& out_;
};

void PutLength(unsigned char* out, uint32_t value) {
  for (size_t i = 0; i < kLengthBytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

uint32_t GetLength(const unsigned char* in) {
  uint32_t value = 0;
  for (size_t i = 0; i < kLengthBytes; ++i) value |= static_cast<uint32_t>(in[i]) << (8 * i);
  return value;
}

// The first chunk's additional data: the header, then the caller's (the header has a fixed
// size, so the two cannot be confused).
std::string FirstChunkData(const unsigned char* header, std::string_view associated_data) {
  std::string data(reinterpret_cast<const char*>(header), kEncryptedHeaderSize);
  data += associated_data;
  return data;
}

Status Encrypt(Source& in, Sink& out, const DataKey& key, std::string_view associated_data) {
  std::array<unsigned char, kEncryptedHeaderSize> header{};
  std::memcpy(header.data(), kEncryptedMagic.data(), kEncryptedMagic.size());
  header[kEncryptedMagic.size()] = kEncryptedFormatVersion;
  size_t id_size = 0;
  if (sodium_hex2bin(header.data() + kKeyIdOffset, kKeyIdBytes, key.id.data(), key.id.size(),
                     nullptr, &id_size, nullptr) != 0 ||
      id_size != kKeyIdBytes) {
    return Fail(ErrorCode::kInternal, "data key id '" + key.id + "' is not 16 hex characters");
  }
  StreamState stream;
  crypto_secretstream_xchacha20poly1305_init_push(
      &stream.state, header.data() + kStreamHeaderOffset, key.key.data());
  AIMASS_RETURN_IF_ERROR(out.Write(header.data(), header.size()));
  const std::string first_data = FirstChunkData(header.data(), associated_data);

  // One chunk of lookahead: a chunk is final when the input ends right after it, so a
  // plaintext of exactly N chunks has N ciphertext chunks, the last one full.
  std::vector<unsigned char> current(kChunkSize), next(kChunkSize);
  std::vector<unsigned char> sealed(kLengthBytes + kChunkSize + kAbytes);
  AIMASS_ASSIGN_OR_RETURN(size_t size, in.Read(current.data(), kChunkSize));
  for (bool first = true;; first = false) {
    size_t next_size = 0;
    bool final = size < kChunkSize;
    if (!final) {
      AIMASS_ASSIGN_OR_RETURN(next_size, in.Read(next.data(), kChunkSize));
      final = next_size == 0;
    }
    unsigned long long sealed_size = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &stream.state, sealed.data() + kLengthBytes, &sealed_size, current.data(), size,
        first ? reinterpret_cast<const unsigned char*>(first_data.data()) : nullptr,
        first ? first_data.size() : 0,
        final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
              : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    PutLength(sealed.data(), static_cast<uint32_t>(sealed_size));
    AIMASS_RETURN_IF_ERROR(out.Write(sealed.data(), kLengthBytes + sealed_size));
    if (final) break;
    std::swap(current, next);
    size = next_size;
  }
  return Ok();
}

// Decrypts one stream and says why it refused it. `name` is how messages call the input.
class Decryption {
 public:
  Decryption(const KeyRing& keys, std::string name, CipherFailure& failure)
      : keys_(keys), name_(std::move(name)), failure_(failure) {
    failure_ = CipherFailure::kNone;
  }

  Status Run(Source& in, Sink& out, std::string_view associated_data) {
    std::array<unsigned char, kEncryptedHeaderSize> header{};
    AIMASS_ASSIGN_OR_RETURN(size_t size, Io(in.Read(header.data(), header.size())));
    const size_t magic_size = std::min(size, kEncryptedMagic.size());
    if (std::memcmp(header.data(), kEncryptedMagic.data(), magic_size) != 0 || size == 0) {
      return Refuse(CipherFailure::kNotEncrypted,
                    "is not an aimass encrypted file (it does not start with \"AIMASSE1\"): it "
                    "was stored before encryption was turned on, or is some other file");
    }
    if (size > kEncryptedMagic.size() &&
        header[kEncryptedMagic.size()] != kEncryptedFormatVersion) {
      return Refuse(CipherFailure::kUnsupportedVersion,
                    "is in encrypted format version " +
                        std::to_string(header[kEncryptedMagic.size()]) +
                        ", which this aimass (version 1) cannot read; run a newer aimass",
                    ErrorCode::kUnimplemented);
    }
    if (size < header.size()) {
      return Refuse(CipherFailure::kTruncated,
                    "ends inside its " + std::to_string(kEncryptedHeaderSize) +
                        "-byte header, after " + std::to_string(size) +
                        " bytes: it was cut "
                        "short (an interrupted copy or a full disk); restore it from a backup");
    }
    std::array<char, kKeyIdBytes * 2 + 1> id;
    sodium_bin2hex(id.data(), id.size(), header.data() + kKeyIdOffset, kKeyIdBytes);
    auto key = keys_.Find(std::string_view(id.data(), kKeyIdBytes * 2));
    if (!key) {
      return Refuse(CipherFailure::kUnknownDataKey,
                    "was encrypted under data key " + std::string(id.data()) +
                        ", which is not in '" + keys_.file().string() +
                        "': restore that file from a backup taken after this blob was written "
                        "(or the blob comes from another data directory)");
    }
    StreamState stream;
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            &stream.state, header.data() + kStreamHeaderOffset, key->key.data()) != 0) {
      return NotAuthentic(0, kEncryptedHeaderSize);
    }
    const std::string first_data = FirstChunkData(header.data(), associated_data);

    std::vector<unsigned char> sealed(kChunkSize + kAbytes), plain(kChunkSize);
    uint64_t offset = kEncryptedHeaderSize;
    for (uint64_t chunk = 0;; ++chunk) {
      std::array<unsigned char, kLengthBytes> length_field;
      AIMASS_ASSIGN_OR_RETURN(size, Io(in.Read(length_field.data(), kLengthBytes)));
      if (size < kLengthBytes) {
        return Refuse(CipherFailure::kTruncated,
                      "ends after " + std::to_string(chunk) + " chunks (" +
                          std::to_string(offset + size) +
                          " bytes) without its final chunk: it was cut short (an interrupted "
                          "copy or a full disk); restore it from a backup");
      }
      const uint32_t length = GetLength(length_field.data());
      if (length < kAbytes || length > sealed.size()) {
        return Refuse(CipherFailure::kAuthentication,
                      "has an impossible length " + std::to_string(length) + " for chunk " +
                          std::to_string(chunk) + " at byte " + std::to_string(offset) +
                          ": it was altered or damaged; restore it from a backup");
      }
      AIMASS_ASSIGN_OR_RETURN(size, Io(in.Read(sealed.data(), length)));
      if (size < length) {
        return Refuse(CipherFailure::kTruncated,
                      "ends inside chunk " + std::to_string(chunk) + " at byte " +
                          std::to_string(offset) + " (" + std::to_string(size) + " of its " +
                          std::to_string(length) +
                          " bytes are there): it was cut short (an interrupted copy or a full "
                          "disk); restore it from a backup");
      }
      unsigned long long plain_size = 0;
      unsigned char tag = 0;
      const bool first = chunk == 0;
      if (crypto_secretstream_xchacha20poly1305_pull(
              &stream.state, plain.data(), &plain_size, &tag, sealed.data(), length,
              first ? reinterpret_cast<const unsigned char*>(first_data.data()) : nullptr,
              first ? first_data.size() : 0) != 0) {
        return NotAuthentic(chunk, offset);
      }
      AIMASS_RETURN_IF_ERROR(Io(out.Write(plain.data(), plain_size)));
      offset += kLengthBytes + length;
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
    }
    unsigned char extra = 0;
    AIMASS_ASSIGN_OR_RETURN(size, Io(in.Read(&extra, 1)));
    if (size != 0) {
      return Refuse(CipherFailure::kTrailingData,
                    "has bytes after its final chunk, which ends at byte " +
                        std::to_string(offset) +
                        ": something was appended to it; restore it from a backup");
    }
    return Ok();
  }

 private:
  std::unexpected<Error> Refuse(CipherFailure failure, const std::string& why,
                                ErrorCode code = ErrorCode::kInternal) {
    failure_ = failure;
    return Fail(code, name_ + " " + why);
  }

  std::unexpected<Error> NotAuthentic(uint64_t chunk, uint64_t offset) {
    // Only the first chunk carries the blob's name, so only there can a swap show.
    return Refuse(CipherFailure::kAuthentication,
                  "fails authentication at chunk " + std::to_string(chunk) + " (byte " +
                      std::to_string(offset) + "): it was altered or damaged" +
                      (chunk == 0 ? ", encrypted under another key, or is another blob's file"
                                  : " or its chunks were reordered") +
                      "; restore it from a backup");
  }

  template <typename T>
  T Io(T result) {
    if (!result) failure_ = CipherFailure::kIo;
    return result;
  }

  const KeyRing& keys_;
  const std::string name_;
  CipherFailure& failure_;
};

Status OpenInto(std::unique_ptr<FileStream>& stream, const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT && (flags & O_CREAT) == 0) {
    return Fail(ErrorCode::kNotFound, "'" + path.string() + "' does not exist");
  }
  if (fd < 0) return IoError("cannot open", path);
  stream = std::make_unique<FileStream>(fd, path);
  return Ok();
}

fs::path TempPathFor(const fs::path& path) {
  fs::path temp = path;
  temp += ".tmp-" + RandomHex(6);
  return temp;
}

// Runs `fill` on a new temporary file beside `target` and renames it over `target` only if
// `fill` succeeded and the file reached the disk; removes it otherwise.
Status WriteThroughTemp(const fs::path& target, const std::function<Status(Sink&)>& fill) {
  const fs::path temp = TempPathFor(target);
  std::unique_ptr<FileStream> out;
  AIMASS_RETURN_IF_ERROR(OpenInto(out, temp, O_WRONLY | O_CREAT | O_EXCL));
  Status status = fill(*out);
  if (status) status = out->SyncAndClose();
  if (status && ::rename(temp.c_str(), target.c_str()) != 0) {
    status = IoError("cannot rename into", target);
  }
  if (!status) {
    out->Close();
    std::error_code ec;
    fs::remove(temp, ec);
    return status;
  }
  return SyncPath(target.parent_path().empty() ? fs::path(".") : target.parent_path());
}

}  // namespace

std::string_view CipherFailureName(CipherFailure failure) {
  switch (failure) {
    case CipherFailure::kNone:
      return "none";
    case CipherFailure::kNotEncrypted:
      return "not_encrypted";
    case CipherFailure::kUnsupportedVersion:
      return "unsupported_version";
    case CipherFailure::kUnknownDataKey:
      return "unknown_data_key";
    case CipherFailure::kAuthentication:
      return "authentication";
    case CipherFailure::kTruncated:
      return "truncated";
    case CipherFailure::kTrailingData:
      return "trailing_data";
    case CipherFailure::kIo:
      return "io";
  }
  return "io";
}

Status EncryptFile(const fs::path& plaintext, const fs::path& encrypted, const KeyRing& keys,
                   std::string_view associated_data) {
  std::unique_ptr<FileStream> in;
  AIMASS_RETURN_IF_ERROR(OpenInto(in, plaintext, O_RDONLY));
  auto key = keys.Current();  // held to the end, even if a rotation starts a new one
  return WriteThroughTemp(encrypted,
                          [&](Sink& out) { return Encrypt(*in, out, *key, associated_data); });
}

Status DecryptFile(const fs::path& encrypted, const fs::path& plaintext, const KeyRing& keys,
                   std::string_view associated_data, CipherFailure* failure) {
  CipherFailure ignored;
  CipherFailure& why = failure ? *failure : ignored;
  why = CipherFailure::kIo;
  std::unique_ptr<FileStream> in;
  AIMASS_RETURN_IF_ERROR(OpenInto(in, encrypted, O_RDONLY));
  Status status = WriteThroughTemp(plaintext, [&](Sink& out) {
    return Decryption(keys, "encrypted file '" + encrypted.string() + "'", why)
        .Run(*in, out, associated_data);
  });
  // A failure after the stream authenticated (sync, rename) is the disk's.
  if (!status && why == CipherFailure::kNone) why = CipherFailure::kIo;
  return status;
}

Result<std::string> EncryptBytes(std::string_view plaintext, const KeyRing& keys,
                                 std::string_view associated_data) {
  std::string encrypted;
  encrypted.reserve(kEncryptedHeaderSize + plaintext.size() +
                    (plaintext.size() / kChunkSize + 1) * kChunkOverhead);
  BytesSource in(plaintext);
  StringSink out(encrypted);
  AIMASS_RETURN_IF_ERROR(Encrypt(in, out, *keys.Current(), associated_data));
  return encrypted;
}

Result<std::string> DecryptBytes(std::string_view encrypted, const KeyRing& keys,
                                 std::string_view associated_data, CipherFailure* failure) {
  CipherFailure ignored;
  std::string plaintext;
  BytesSource in(encrypted);
  StringSink out(plaintext);
  AIMASS_RETURN_IF_ERROR(Decryption(keys, "encrypted value", failure ? *failure : ignored)
                             .Run(in, out, associated_data));
  return plaintext;
}

bool LooksEncrypted(std::string_view prefix) { return prefix.starts_with(kEncryptedMagic); }

Result<uint64_t> PlaintextSize(uint64_t encrypted_size) {
  const uint64_t full = kChunkSize + kChunkOverhead;
  const uint64_t body = encrypted_size - kEncryptedHeaderSize;  // checked before use
  // Every chunk is full but the last, which holds at least its overhead.
  if (encrypted_size < kEncryptedHeaderSize + kChunkOverhead ||
      (body % full != 0 && body % full < kChunkOverhead)) {
    return Fail(ErrorCode::kInvalidArgument,
                "no encrypted file has " + std::to_string(encrypted_size) + " bytes");
  }
  const uint64_t chunks = (body + full - 1) / full;
  return body - chunks * kChunkOverhead;
}

}  // namespace aimass::security::crypto
