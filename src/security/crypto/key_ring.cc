#include "security/crypto/key_ring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/files.h"

namespace aimass::security::crypto {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormat = 1;
constexpr size_t kDataKeyIdBytes = 8;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kWrappedBytes = SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// Exactly `size` bytes from 2 * size hex characters, or false.
bool Unhex(std::string_view hex, unsigned char* out, size_t size) {
  size_t written = 0;
  const char* end = nullptr;
  return hex.size() == size * 2 &&
         sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, &end) == 0 &&
         written == size && end == hex.data() + hex.size();
}

bool IsDataKeyId(std::string_view id) {
  std::array<unsigned char, kDataKeyIdBytes> bytes;
  return Unhex(id, bytes.data(), bytes.size());
}

// An exclusive flock on <file>.lock, held for its lifetime. Separate opens conflict even
// within one process, so it also orders threads, but write_mu_ does that more cheaply.
class FileLock {
 public:
  static Result<FileLock> Acquire(const fs::path& file) {
    fs::path path = file;
    path += ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Fail(ErrorCode::kInternal,
                  "cannot open lock file '" + path.string() + "': " + std::strerror(errno));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return Fail(ErrorCode::kInternal,
                  "cannot lock '" + path.string() + "': " + std::strerror(error));
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

std::unexpected<Error> Altered(const fs::path& file, const std::string& why) {
  return Fail(ErrorCode::kInternal, "data key file '" + file.string() + "' is damaged (" + why +
                                        "); restore it from a backup: blobs cannot be read "
                                        "without the data keys in it");
}

std::shared_ptr<const DataKey> NewDataKey(
    const std::map<std::string, std::shared_ptr<const DataKey>, std::less<>>& existing) {
  std::string id;
  do {
    std::array<unsigned char, kDataKeyIdBytes> bytes;
    randombytes_buf(bytes.data(), bytes.size());
    id = Hex(bytes.data(), bytes.size());
  } while (existing.contains(id));
  return std::make_shared<const DataKey>(DataKey{id, SecretKey::Random()});
}

// The data key id is the associated data, so a wrapped key moved to another id's entry
// fails to unwrap instead of posing as that key.
json Wrap(const DataKey& key, const MasterKey& master) {
  std::array<unsigned char, kNonceBytes> nonce;
  randombytes_buf(nonce.data(), nonce.size());
  std::array<unsigned char, kWrappedBytes> wrapped;
  unsigned long long size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped.data(), &size, key.key.data(),
                                             SecretKey::kSize,
                                             reinterpret_cast<const unsigned char*>(key.id.data()),
                                             key.id.size(), nullptr, nonce.data(), master.data());
  return json{{"id", key.id},
              {"nonce", Hex(nonce.data(), nonce.size())},
              {"wrapped", Hex(wrapped.data(), size)}};
}

Result<std::shared_ptr<const DataKey>> Unwrap(const json& entry, const MasterKey& master,
                                              const fs::path& file) {
  const std::string id = entry.at("id").get<std::string>();
  std::array<unsigned char, kNonceBytes> nonce;
  std::array<unsigned char, kWrappedBytes> wrapped;
  if (!IsDataKeyId(id) ||
      !Unhex(entry.at("nonce").get<std::string>(), nonce.data(), nonce.size()) ||
      !Unhex(entry.at("wrapped").get<std::string>(), wrapped.data(), wrapped.size())) {
    return Altered(file, "data key '" + id + "' is malformed");
  }
  auto key = SecretKey::Make([&](std::span<unsigned char, SecretKey::kSize> bytes) {
    unsigned long long size = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(
               bytes.data(), &size, nullptr, wrapped.data(), wrapped.size(),
               reinterpret_cast<const unsigned char*>(id.data()), id.size(), nonce.data(),
               master.data()) == 0 &&
           size == SecretKey::kSize;
  });
  if (!key) {
    return Altered(file, "data key " + id + " does not unwrap under master key " + master.id() +
                             ", which the file names");
  }
  return std::make_shared<const DataKey>(DataKey{id, std::move(*key)});
}

// The parsed key file; nullopt when there is none yet.
Result<std::optional<json>> ReadKeyFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<json>();
  AIMASS_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  json stored = json::parse(text, nullptr, false);
  if (stored.is_discarded() || !stored.is_object()) return Altered(file, "it is not JSON");
  auto format = stored.find("format");
  if (format == stored.end() || !format->is_number_integer()) {
    return Altered(file, "it has no format number");
  }
  if (*format != kFormat) {
    return Fail(ErrorCode::kUnimplemented, "data key file '" + file.string() + "' has format " +
                                               format->dump() + ", which this aimass (format " +
                                               std::to_string(kFormat) +
                                               ") cannot read; run a newer aimass");
  }
  return std::optional<json>(std::move(stored));
}

std::string WrappedBy(const json& stored) {
  auto it = stored.find("master_key_id");
  return it != stored.end() && it->is_string() ? it->get<std::string>() : "";
}

// The master key id is checked by the caller first, so a wrong key gets a message that
// says so rather than "damaged". (Templates only because KeyRing::Snapshot is private.)
template <typename Snapshot>
Status UnwrapAll(const json& stored, const MasterKey& master, const fs::path& file, Snapshot& out) {
  try {
    for (const json& entry : stored.at("data_keys")) {
      AIMASS_ASSIGN_OR_RETURN(auto key, Unwrap(entry, master, file));
      out.keys.emplace(key->id, std::move(key));  // keeps a key already held (same bytes)
    }
    out.current = stored.at("current").get<std::string>();
  } catch (const json::exception& e) {
    return Altered(file, e.what());
  }
  if (!out.keys.contains(out.current)) {
    return Altered(file, "its current data key '" + out.current + "' is not in it");
  }
  return Ok();
}

template <typename Snapshot>
Status WriteKeyFile(const fs::path& file, const Snapshot& snapshot, const MasterKey& master) {
  json keys = json::array();
  for (const auto& [id, key] : snapshot.keys) keys.push_back(Wrap(*key, master));
  json stored{{"format", kFormat},
              {"master_key_id", master.id()},
              {"current", snapshot.current},
              {"data_keys", std::move(keys)}};
  return WriteFileAtomically(file, stored.dump(2) + "\n");  // mode 0600
}

fs::path NextMasterKeyPath(const fs::path& data_dir) {
  fs::path path = DefaultMasterKeyPath(data_dir);
  path += ".next";
  return path;
}

// When the data keys are wrapped by `wanted_id` and master.key.next holds that key while
// master.key holds `given`, a RotateMasterKeyFile stopped after re-wrapping: finish it.
Result<MasterKey> MasterKeyThatWraps(const std::string& wanted_id, MasterKey given,
                                     const fs::path& data_dir, const fs::path& file) {
  const fs::path installed_path = DefaultMasterKeyPath(data_dir);
  const fs::path next_path = NextMasterKeyPath(data_dir);
  auto next = ReadMasterKeyFile(next_path);
  if (next && next->id() == wanted_id) {
    auto installed = ReadMasterKeyFile(installed_path);
    if (installed && installed->id() == given.id()) {
      if (::rename(next_path.c_str(), installed_path.c_str()) != 0) {
        return Fail(ErrorCode::kInternal,
                    "cannot finish the master key rotation: rename '" + next_path.string() +
                        "' to '" + installed_path.string() + "': " + std::strerror(errno));
      }
      AIMASS_RETURN_IF_ERROR(SyncPath(installed_path.parent_path()));
      return std::move(*next);
    }
  }
  return Fail(ErrorCode::kPermissionDenied,
              "the data keys in '" + file.string() + "' are wrapped by master key " + wanted_id +
                  ", but the master key from " + given.source() + " has id " + given.id() +
                  "; start with the master key whose id is " + wanted_id + " (set " +
                  std::string(kMasterKeyEnvVar) + ", pass its key file, or restore " +
                  installed_path.string() + ")");
}

}  // namespace

KeyRing::KeyRing(fs::path data_dir, std::unique_ptr<MasterKey> master)
    : data_dir_(std::move(data_dir)), file_(FileIn(data_dir_)), master_(std::move(master)) {}

fs::path KeyRing::FileIn(const fs::path& data_dir) { return data_dir / "keys" / "data_keys.json"; }

Result<std::unique_ptr<KeyRing>> KeyRing::Open(const fs::path& data_dir, MasterKey master) {
  const fs::path file = FileIn(data_dir);
  std::error_code ec;
  if (!fs::exists(file.parent_path(), ec)) {
    AIMASS_RETURN_IF_ERROR(MakeDirectories(file.parent_path(), fs::perms::owner_all));
  }
  AIMASS_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(file));
  AIMASS_ASSIGN_OR_RETURN(std::optional<json> stored, ReadKeyFile(file));
  auto snapshot = std::make_shared<Snapshot>();
  if (!stored) {
    auto key = NewDataKey(snapshot->keys);
    snapshot->current = key->id;
    snapshot->keys.emplace(key->id, std::move(key));
    AIMASS_RETURN_IF_ERROR(WriteKeyFile(file, *snapshot, master));
  } else {
    const std::string wanted = WrappedBy(*stored);
    if (wanted != master.id()) {
      AIMASS_ASSIGN_OR_RETURN(master,
                              MasterKeyThatWraps(wanted, std::move(master), data_dir, file));
    }
    AIMASS_RETURN_IF_ERROR(UnwrapAll(*stored, master, file, *snapshot));
  }
  snapshot->master_key_id = master.id();
  std::unique_ptr<KeyRing> ring(
      new KeyRing(data_dir, std::make_unique<MasterKey>(std::move(master))));
  ring->snapshot_ = std::move(snapshot);
  return ring;
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::Load() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

std::shared_ptr<const DataKey> KeyRing::Current() const {
  auto snapshot = Load();
  return snapshot->keys.find(snapshot->current)->second;
}

std::shared_ptr<const DataKey> KeyRing::Find(std::string_view id) const {
  auto snapshot = Load();
  auto it = snapshot->keys.find(id);
  return it == snapshot->keys.end() ? nullptr : it->second;
}

std::vector<std::string> KeyRing::DataKeyIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, key] : Load()->keys) ids.push_back(id);
  return ids;
}

std::string KeyRing::MasterKeyId() const { return Load()->master_key_id; }

Status KeyRing::Update(const std::function<Status(Snapshot&, const MasterKey& master,
                                                  std::unique_ptr<MasterKey>& new_master)>& change,
                       const std::function<Status()>& after_write) {
  std::lock_guard lock(write_mu_);
  AIMASS_ASSIGN_OR_RETURN(FileLock file_lock, FileLock::Acquire(file_));
  Snapshot next = *Load();
  AIMASS_ASSIGN_OR_RETURN(std::optional<json> stored, ReadKeyFile(file_));
  // Merging what is on disk keeps a data key that another process added; a file deleted
  // meanwhile is written again from memory.
  if (stored) {
    if (WrappedBy(*stored) != master_->id()) {
      return Fail(ErrorCode::kConflict,
                  "the data keys in '" + file_.string() + "' were re-wrapped under master key " +
                      WrappedBy(*stored) + " by another process (`aimass keys rotate`); " +
                      "restart aimass with that master key before changing them here");
    }
    AIMASS_RETURN_IF_ERROR(UnwrapAll(*stored, *master_, file_, next));
  }
  std::unique_ptr<MasterKey> new_master;
  AIMASS_RETURN_IF_ERROR(change(next, *master_, new_master));
  if (new_master) next.master_key_id = new_master->id();
  AIMASS_RETURN_IF_ERROR(WriteKeyFile(file_, next, new_master ? *new_master : *master_));
  if (new_master) master_ = std::move(new_master);
  {
    std::lock_guard swap(snapshot_mu_);
    snapshot_ = std::make_shared<const Snapshot>(std::move(next));
  }
  return after_write ? after_write() : Ok();
}

Result<std::string> KeyRing::StartNewDataKey() {
  std::string id;
  AIMASS_RETURN_IF_ERROR(
      Update([&](Snapshot& next, const MasterKey&, std::unique_ptr<MasterKey>&) -> Status {
        auto key = NewDataKey(next.keys);
        id = next.current = key->id;
        next.keys.emplace(key->id, std::move(key));
        return Ok();
      }));
  return id;
}

Status KeyRing::Rotate(MasterKey new_master, bool start_new_data_key) {
  return Update([&](Snapshot& next, const MasterKey&, std::unique_ptr<MasterKey>& replacement) {
    if (start_new_data_key) {
      auto key = NewDataKey(next.keys);
      next.current = key->id;
      next.keys.emplace(key->id, std::move(key));
    }
    replacement = std::make_unique<MasterKey>(std::move(new_master));
    return Ok();
  });
}

Result<std::string> KeyRing::RotateMasterKeyFile(bool start_new_data_key) {
  const fs::path installed_path = DefaultMasterKeyPath(data_dir_);
  const fs::path next_path = NextMasterKeyPath(data_dir_);
  std::string new_id;
  auto change = [&](Snapshot& next, const MasterKey& master,
                    std::unique_ptr<MasterKey>& replacement) -> Status {
    auto installed = ReadMasterKeyFile(installed_path);
    if (!installed || installed->id() != master.id()) {
      return Fail(ErrorCode::kConflict,
                  "the master key in use comes from " + master.source() + ", not from " +
                      installed_path.string() +
                      ", so a new one cannot be kept there; make a new key where the current "
                      "one comes from and rotate to it instead");
    }
    // The data keys are still wrapped by `master` (checked under the lock), so a leftover
    // master.key.next is from a rotation that failed before re-wrapping: nothing uses it.
    std::error_code ec;
    fs::remove(next_path, ec);
    AIMASS_ASSIGN_OR_RETURN(MasterKey created, CreateMasterKeyFile(next_path));
    new_id = created.id();
    if (start_new_data_key) {
      auto key = NewDataKey(next.keys);
      next.current = key->id;
      next.keys.emplace(key->id, std::move(key));
    }
    replacement = std::make_unique<MasterKey>(std::move(created));
    return Ok();
  };
  auto install = [&]() -> Status {
    if (::rename(next_path.c_str(), installed_path.c_str()) != 0) {
      return Fail(ErrorCode::kInternal, "the data keys are re-wrapped, but renaming '" +
                                            next_path.string() + "' to '" +
                                            installed_path.string() + "' failed (" +
                                            std::strerror(errno) + "); the next start finishes it");
    }
    return SyncPath(installed_path.parent_path());
  };
  AIMASS_RETURN_IF_ERROR(Update(change, install));
  return new_id;
}

}  // namespace aimass::security::crypto
