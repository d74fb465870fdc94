#include "registry/tar.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace aimass::registry::tar {
namespace {

namespace fs = std::filesystem;
using Block = std::array<char, kBlockBytes>;

constexpr uint64_t kChunkBytes = 1 << 20;
// The ustar header fields used here: offset and width.
constexpr size_t kName = 0, kNameWidth = 100;
constexpr size_t kMode = 100, kUid = 108, kGid = 116, kIdWidth = 8;
constexpr size_t kSize = 124, kMtime = 136, kNumberWidth = 12;
constexpr size_t kChecksum = 148, kChecksumWidth = 8;
constexpr size_t kTypeflag = 156;
constexpr size_t kMagic = 257, kVersion = 263;
constexpr size_t kPrefix = 345, kPrefixWidth = 155;
// Sizes from 8 GiB on do not fit 11 octal digits; they are written in base-256 as GNU tar
// and Python's tarfile do (and read).
constexpr uint64_t kMaxOctalSize = (uint64_t{1} << 33) - 1;

uint64_t Padded(uint64_t size) { return (size + kBlockBytes - 1) / kBlockBytes * kBlockBytes; }

// `value` as width-1 zero-padded octal digits and a NUL.
void PutOctal(char* field, size_t width, uint64_t value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

void PutBase256(char* field, size_t width, uint64_t value) {
  std::memset(field, 0, width);
  field[0] = static_cast<char>(0x80);
  for (size_t i = width - 1; i > 0 && value > 0; --i) {
    field[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

// A numeric field: octal digits (leading spaces allowed, ended by NUL or space), or
// base-256 (first byte 0x80). nullopt for anything else, negative or past 2^63.
std::optional<uint64_t> ParseNumber(const char* field, size_t width) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field);
  uint64_t value = 0;
  if (bytes[0] & 0x80) {
    if (bytes[0] != 0x80) return std::nullopt;
    for (size_t i = 1; i < width; ++i) {
      if (value > (uint64_t{1} << 55)) return std::nullopt;
      value = value << 8 | bytes[i];
    }
    return value < (uint64_t{1} << 63) ? std::optional(value) : std::nullopt;
  }
  size_t i = 0;
  while (i < width && bytes[i] == ' ') ++i;
  size_t digits = 0;
  for (; i < width && bytes[i] >= '0' && bytes[i] <= '7'; ++i, ++digits) {
    if (value > (uint64_t{1} << 60)) return std::nullopt;
    value = value << 3 | (bytes[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  for (; i < width; ++i) {
    if (bytes[i] != ' ' && bytes[i] != '\0') return std::nullopt;
  }
  return value;
}

// The text of a NUL-padded field (which may also fill its whole width).
std::string FieldText(const char* field, size_t width) {
  return std::string(field, strnlen(field, width));
}

// POSIX's header checksum: the byte sum with the checksum field read as spaces. Old tars
// summed signed chars; both are accepted.
bool ChecksumMatches(const Block& header) {
  auto stored = ParseNumber(header.data() + kChecksum, kChecksumWidth);
  if (!stored) return false;
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (size_t i = 0; i < kBlockBytes; ++i) {
    bool in_field = i >= kChecksum && i < kChecksum + kChecksumWidth;
    char c = in_field ? ' ' : header[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  return *stored == unsigned_sum || static_cast<int64_t>(*stored) == signed_sum;
}

std::unexpected<Error> Truncated(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, what + "; the file is truncated (copy it again)");
}

}  // namespace

std::optional<std::pair<std::string, std::string>> SplitName(std::string_view path) {
  if (path.size() <= kNameWidth) return std::pair(std::string(), std::string(path));
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (slash > kPrefixWidth) break;
    if (slash > 0 && path.size() - slash - 1 <= kNameWidth && slash + 1 < path.size()) {
      return std::pair(std::string(path.substr(0, slash)), std::string(path.substr(slash + 1)));
    }
  }
  return std::nullopt;
}

uint64_t ArchiveSize(const std::vector<uint64_t>& sizes) {
  uint64_t total = 2 * kBlockBytes;
  for (uint64_t size : sizes) total += kBlockBytes + Padded(size);
  return total;
}

std::string TypeName(char typeflag) {
  switch (typeflag) {
    case '0':
    case '\0':
      return "a regular file";
    case '1':
      return "a hard link";
    case '2':
      return "a symbolic link";
    case '3':
      return "a character device";
    case '4':
      return "a block device";
    case '5':
      return "a directory";
    case '6':
      return "a FIFO";
    case 'x':
    case 'g':
      return "a pax extended header";
    case 'L':
    case 'K':
      return "a GNU long-name header";
  }
  return std::string("an entry of type '") + typeflag + "'";
}

Status Writer::Emit(std::string_view bytes) {
  if (!sink_(bytes)) return Fail(ErrorCode::kCancelled, "the reader of the archive went away");
  return Ok();
}

Status Writer::Pad(uint64_t size) {
  static const Block kZeros{};
  uint64_t padding = Padded(size) - size;
  return padding == 0 ? Ok() : Emit(std::string_view(kZeros.data(), padding));
}

Status Writer::Header(std::string_view name, uint64_t size) {
  auto split = SplitName(name);
  if (!split) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + std::string(name) + "' is too long for a ustar archive member name");
  }
  Block header{};
  std::memcpy(header.data() + kName, split->second.data(), split->second.size());
  std::memcpy(header.data() + kPrefix, split->first.data(), split->first.size());
  PutOctal(header.data() + kMode, kIdWidth, 0644);
  PutOctal(header.data() + kUid, kIdWidth, 0);
  PutOctal(header.data() + kGid, kIdWidth, 0);
  if (size <= kMaxOctalSize) {
    PutOctal(header.data() + kSize, kNumberWidth, size);
  } else {
    PutBase256(header.data() + kSize, kNumberWidth, size);
  }
  PutOctal(header.data() + kMtime, kNumberWidth,
           static_cast<uint64_t>(std::max<int64_t>(mtime_, 0)));
  header[kTypeflag] = '0';
  std::memcpy(header.data() + kMagic, "ustar", 6);  // with its NUL
  std::memcpy(header.data() + kVersion, "00", 2);
  std::memset(header.data() + kChecksum, ' ', kChecksumWidth);
  uint64_t sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  PutOctal(header.data() + kChecksum, 7, sum);  // six digits, NUL, and the space stays
  return Emit(std::string_view(header.data(), header.size()));
}

Status Writer::AddBytes(std::string_view name, std::string_view data) {
  AIMASS_RETURN_IF_ERROR(Header(name, data.size()));
  AIMASS_RETURN_IF_ERROR(Emit(data));
  return Pad(data.size());
}

Status Writer::AddFile(std::string_view name, const fs::path& file, uint64_t size) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) return Fail(ErrorCode::kInternal, "cannot open " + file.string() + " for the archive");
  AIMASS_RETURN_IF_ERROR(Header(name, size));
  std::string buffer(static_cast<size_t>(std::min(size, kChunkBytes)), '\0');
  uint64_t done = 0;
  while (done < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - done));
    size_t got = std::fread(buffer.data(), 1, want, in.get());
    if (got == 0) {
      return Fail(ErrorCode::kInternal, file.string() + " ended after " + std::to_string(done) +
                                            " of " + std::to_string(size) + " bytes");
    }
    AIMASS_RETURN_IF_ERROR(Emit(std::string_view(buffer.data(), got)));
    done += got;
  }
  return Pad(size);
}

Status Writer::Finish() {
  static const std::array<char, 2 * kBlockBytes> kEnd{};
  return Emit(std::string_view(kEnd.data(), kEnd.size()));
}

Result<std::unique_ptr<Reader>> Reader::Open(const fs::path& file) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  struct stat info {};
  if (!in || ::fstat(fileno(in.get()), &info) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "cannot read " + file.string());
  }
  if (!S_ISREG(info.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, file.string() + " is not a regular file");
  }
  return std::unique_ptr<Reader>(new Reader(std::move(in), static_cast<uint64_t>(info.st_size)));
}

Result<std::optional<Entry>> Reader::Next() {
  if (position_ != next_header_) {
    if (::fseeko(file_.get(), static_cast<off_t>(next_header_), SEEK_SET) != 0) {
      return Fail(ErrorCode::kInternal, "cannot seek in the archive");
    }
    position_ = next_header_;
  }
  data_left_ = 0;
  if (size_ - position_ < kBlockBytes) {
    return Truncated("the archive ends at byte " + std::to_string(size_) +
                     " without its end-of-archive marker");
  }
  Block header;
  if (std::fread(header.data(), 1, kBlockBytes, file_.get()) != kBlockBytes) {
    return Truncated("the archive could not be read past byte " + std::to_string(position_));
  }
  const uint64_t at = position_;
  position_ += kBlockBytes;
  next_header_ = position_;
  if (std::all_of(header.begin(), header.end(), [](char c) { return c == '\0'; })) {
    return std::optional<Entry>();
  }
  if (!ChecksumMatches(header)) {
    return Fail(ErrorCode::kInvalidArgument,
                "the tar header at byte " + std::to_string(at) +
                    " is damaged (its checksum does not match); is this an aimass bundle?");
  }
  const bool posix = std::memcmp(header.data() + kMagic, "ustar\0", 6) == 0;
  const bool gnu = std::memcmp(header.data() + kMagic, "ustar  \0", 8) == 0;
  if (!posix && !gnu) {
    return Fail(ErrorCode::kInvalidArgument,
                "the tar header at byte " + std::to_string(at) +
                    " is not a ustar header; write bundles as POSIX ustar archives");
  }
  Entry entry;
  entry.name = FieldText(header.data() + kName, kNameWidth);
  std::string prefix = posix ? FieldText(header.data() + kPrefix, kPrefixWidth) : "";
  if (!prefix.empty()) entry.name = prefix + "/" + entry.name;
  entry.typeflag = header[kTypeflag];
  auto size = ParseNumber(header.data() + kSize, kNumberWidth);
  if (!size) {
    return Fail(ErrorCode::kInvalidArgument,
                "the tar header of '" + entry.name + "' has an invalid size field");
  }
  entry.size = *size;
  if (entry.size > size_ - position_) {
    return Truncated("archive member '" + entry.name + "' says it holds " +
                     std::to_string(entry.size) + " bytes, but only " +
                     std::to_string(size_ - position_) + " follow");
  }
  data_left_ = entry.size;
  next_header_ = position_ + Padded(entry.size);
  current_name_ = entry.name;
  return std::optional<Entry>(std::move(entry));
}

Status Reader::ReadData(const std::function<Status(std::string_view)>& chunk) {
  std::string buffer(static_cast<size_t>(std::min(data_left_, kChunkBytes)), '\0');
  while (data_left_ > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), data_left_));
    size_t got = std::fread(buffer.data(), 1, want, file_.get());
    if (got == 0) {
      return Truncated("the archive ends inside member '" + current_name_ + "'");
    }
    position_ += got;
    data_left_ -= got;
    AIMASS_RETURN_IF_ERROR(chunk(std::string_view(buffer.data(), got)));
  }
  return Ok();
}

}  // namespace aimass::registry::tar
