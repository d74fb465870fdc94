// Data keys: the keys that encrypt blobs, stored only wrapped under the master key in
// <data-dir>/keys/data_keys.json, so rotating the master key rewrites one small file and no
// blob.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "security/crypto/master_key.h"

namespace aimass::security::crypto {

// A random 256-bit key that encrypts blobs; blob headers name it by id. Immutable.
struct DataKey {
  std::string id;  // 16 hex characters, random
  SecretKey key;
};

// The data keys of a data directory, unwrapped in memory: the current one for new blobs and
// every older one for blobs written before. Thread-safe. Readers (Current, Find) take an
// immutable snapshot and never wait for a writer's disk I/O, so decrypting continues while
// a rotation runs. Writers (StartNewDataKey, Rotate*) take a lock file beside the key file,
// read it again and merge, so neither another thread nor another process (`aimass keys
// rotate` beside a running server) loses a data key.
class KeyRing {
 public:
  // Unwraps every data key in <data_dir>/keys/data_keys.json with `master`. A fresh
  // directory gets the file with one new data key. kPermissionDenied when `master` is not
  // the key that wrapped them (the message names both key ids and where the key came from);
  // kInternal when the file was altered. Also finishes a RotateMasterKeyFile that a crash
  // interrupted.
  static Result<std::unique_ptr<KeyRing>> Open(const std::filesystem::path& data_dir,
                                               MasterKey master);
  // <data_dir>/keys/data_keys.json.
  static std::filesystem::path FileIn(const std::filesystem::path& data_dir);

  // The data key for new blobs. Never null.
  std::shared_ptr<const DataKey> Current() const;
  // The data key with this id; null when this ring does not hold it.
  std::shared_ptr<const DataKey> Find(std::string_view id) const;
  std::vector<std::string> DataKeyIds() const;
  // The id of the master key that wraps the data keys on disk now.
  std::string MasterKeyId() const;
  const std::filesystem::path& file() const { return file_; }

  // Adds a fresh data key that new blobs use from now on; older blobs keep theirs. Returns
  // its id.
  Result<std::string> StartNewDataKey();
  // Re-wraps every data key under `new_master` and replaces the key file atomically; from
  // then on only `new_master` opens it. Blobs are untouched: their data keys do not change.
  // With `start_new_data_key`, new blobs also get a fresh data key. The caller keeps the
  // new master key wherever LoadMasterKey will find it next time.
  Status Rotate(MasterKey new_master, bool start_new_data_key = false);
  // `aimass keys rotate` for a master key kept in <data-dir>/keys/master.key: generates a
  // new key, writes it to master.key.next, re-wraps the data keys under it, then renames it
  // over master.key. A crash between the last two steps is finished by the next Open.
  // kConflict when the ring's master key did not come from that file. Returns the new id.
  Result<std::string> RotateMasterKeyFile(bool start_new_data_key = false);

 private:
  struct Snapshot {
    std::string master_key_id;
    std::string current;
    std::map<std::string, std::shared_ptr<const DataKey>, std::less<>> keys;
  };

  KeyRing(std::filesystem::path data_dir, std::unique_ptr<MasterKey> master);
  std::shared_ptr<const Snapshot> Load() const;
  // Under the lock file: reads the file again, lets `change` edit the snapshot (and set a
  // new master key), writes the file, publishes the snapshot to readers, then runs
  // `after_write`.
  Status Update(const std::function<Status(Snapshot&, const MasterKey& master,
                                           std::unique_ptr<MasterKey>& new_master)>& change,
                const std::function<Status()>& after_write = nullptr);

  const std::filesystem::path data_dir_;
  const std::filesystem::path file_;
  std::mutex write_mu_;                // one writer at a time in this process
  std::unique_ptr<MasterKey> master_;  // guarded by write_mu_
  mutable std::mutex snapshot_mu_;     // held only to copy or swap the pointer
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace aimass::security::crypto
