#include "security/ledger/sealer.h"

#include <spdlog/spdlog.h>

#include "security/ledger/verifier.h"

namespace aimass::security::ledger {
namespace {

constexpr int64_t kPage = 10'000;

}  // namespace

Result<std::unique_ptr<LedgerSealer>> LedgerSealer::Open(
    store::MetadataStore& store, std::shared_ptr<const LedgerSigningKey> key, const Clock& clock) {
  AIMASS_ASSIGN_OR_RETURN(LedgerReport report, VerifyLedger(store, key->public_key(), {}));
  std::unique_ptr<LedgerSealer> sealer(new LedgerSealer(store, std::move(key), clock));
  sealer->head_ = report.newest_head;
  if (!report.intact()) {
    sealer->broken_ =
        "the ledger failed verification (" + report.problems.front() +
        (report.problems.size() > 1 ? " and " + std::to_string(report.problems.size() - 1) + " more"
                                    : "") +
        "); no new head is signed until it is restored from a backup. See "
        "`aimass ledger verify --data-dir DIR`";
    return sealer;
  }
  sealer->leaves_ = std::move(report.leaves);
  return sealer;
}

LedgerSealer::~LedgerSealer() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status LedgerSealer::BrokenLocked() const {
  if (broken_.empty()) return Ok();
  return Fail(ErrorCode::kInternal, broken_);
}

Result<TreeHead> LedgerSealer::Seal() {
  std::lock_guard lock(mu_);
  AIMASS_RETURN_IF_ERROR(BrokenLocked());
  const size_t before = leaves_.size();
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(auto page, store_.LedgerEntries(leaves_.size(), kPage));
    for (const auto& entry : page) {
      auto leaf = CheckedLeafHash(entry, static_cast<int64_t>(leaves_.size()));
      if (!leaf) {
        broken_ = "a new ledger entry failed its check (" + leaf.error().message +
                  "); no new head is signed. See `aimass ledger verify --data-dir DIR`";
        leaves_.resize(before);
        spdlog::error("{}", broken_);
        return Fail(ErrorCode::kInternal, broken_);
      }
      leaves_.push_back(*leaf);
    }
    if (static_cast<int64_t>(page.size()) < kPage) break;
  }
  if (head_ && leaves_.size() == head_->size) return *head_;
  if (leaves_.empty()) {
    return Fail(ErrorCode::kNotFound,
                "the ledger has no entries yet; it gets one with the "
                "first change (a dataset, a model, a user, ...)");
  }
  TreeHead head;
  head.size = leaves_.size();
  head.root = RootOf(leaves_);
  head.timestamp_ms = clock_.NowMillis();
  head.signature = key_->Sign(TreeHeadSigningBytes(head));
  AIMASS_RETURN_IF_ERROR(store_.AddTreeHead(ToRecord(head)));
  head_ = head;
  return head;
}

void LedgerSealer::SealEvery(std::chrono::milliseconds period) {
  thread_ = std::thread([this, period] {
    std::unique_lock lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      auto sealed = Seal();
      if (!sealed && sealed.error().code != ErrorCode::kNotFound &&
          sealed.error().message != broken_) {
        spdlog::warn("sealing the ledger failed: {}", sealed.error().message);
      }
      lock.lock();
    }
  });
}

Status LedgerSealer::CheckSizeLocked(uint64_t tree_size) const {
  const uint64_t sealed = head_ ? head_->size : 0;
  if (tree_size > sealed) {
    return Fail(ErrorCode::kInvalidArgument,
                "tree size " + std::to_string(tree_size) + " is past the newest signed head (" +
                    std::to_string(sealed) + " entries); GET /api/v1/ledger/head for it");
  }
  return Ok();
}

Result<std::vector<Hash>> LedgerSealer::InclusionProof(uint64_t index, uint64_t tree_size) {
  std::lock_guard lock(mu_);
  AIMASS_RETURN_IF_ERROR(BrokenLocked());
  AIMASS_RETURN_IF_ERROR(CheckSizeLocked(tree_size));
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "entry " + std::to_string(index) +
                                                 " is not in a tree of " +
                                                 std::to_string(tree_size) + " entries");
  }
  return ledger::InclusionProof(leaves_, index, tree_size);
}

Result<std::vector<Hash>> LedgerSealer::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  std::lock_guard lock(mu_);
  AIMASS_RETURN_IF_ERROR(BrokenLocked());
  AIMASS_RETURN_IF_ERROR(CheckSizeLocked(new_size));
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "the old size " + std::to_string(old_size) +
                                                 " is larger than the new size " +
                                                 std::to_string(new_size));
  }
  return ledger::ConsistencyProof(leaves_, old_size, new_size);
}

std::optional<TreeHead> LedgerSealer::Head() {
  std::lock_guard lock(mu_);
  return head_;
}

}  // namespace aimass::security::ledger
