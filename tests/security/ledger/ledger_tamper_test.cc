// The ledger as stored, attacked directly in the database: each way of editing, deleting,
// reordering, inserting or truncating entries (and forging heads) is caught by
// VerifyLedger, and the sealer refuses to sign over it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "common/clock.h"
#include "common/hash.h"
#include "security/ledger/sealer.h"
#include "security/ledger/verifier.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace aimass::security::ledger {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LedgerTamperTest : public ::testing::Test {
 public:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-ledger-" + RandomHex(6));
    fs::create_directories(dir_);
    auto key = LedgerSigningKey::LoadOrCreate(dir_ / "ledger.key");
    ASSERT_TRUE(key) << key.error().message;
    key_ = std::move(*key);
    OpenStore();
    // Six entries, sealed at 3 and at 6; the head at 6 is the one a user saved.
    auto sealer = Sealer();
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(store_->RecordChange({"test.change", "thing:" + std::to_string(i), {{"n", i}}},
                                       1000 + i));
      if (i == 2) {
        ASSERT_TRUE(sealer->Seal());
      }
    }
    auto head = sealer->Seal();
    ASSERT_TRUE(head) << head.error().message;
    trusted_ = *head;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void OpenStore() {
    store_.reset();
    auto store = store::SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }

  std::unique_ptr<LedgerSealer> Sealer() {
    auto sealer = LedgerSealer::Open(*store_, key_, clock_);
    EXPECT_TRUE(sealer) << sealer.error().message;
    return sealer ? std::move(*sealer) : nullptr;
  }

  // Runs SQL on the database file behind the store's back, as an attacker would.
  void Tamper(const std::string& sql) {
    store_.reset();
    {
      auto db = store::Database::Open(dir_ / "aimass.db");
      ASSERT_TRUE(db) << db.error().message;
      ASSERT_TRUE((*db)->Exec(sql)) << sql;
    }
    OpenStore();
  }

  // The leaf hash an attacker recomputes for text written into the database.
  static std::string Leaf(const std::string& text) {
    return Sha256Hex(std::string(1, '\0') + text);
  }
  std::string Text(int64_t index) { return store_->LedgerEntries(index, 1)->front().entry_json; }
  // SQL that rewrites entry `index` to `text`, leaf hash and all, consistently.
  std::string Rewrite(int64_t index, const std::string& text) {
    const auto json = nlohmann::json::parse(text);
    return "UPDATE ledger_entries SET entry = '" + text + "', leaf_hash = '" + Leaf(text) +
           "', subject = '" + json["subject"].get<std::string>() +
           "' WHERE idx = " + std::to_string(index) + ";";
  }
  // Entry text as it would be at another index.
  std::string Renumbered(const std::string& text, int64_t index) {
    auto json = nlohmann::json::parse(text);
    json["index"] = index;
    return json.dump();
  }

  LedgerReport Verify(bool with_trusted = false) {
    auto report = VerifyLedger(*store_, key_->public_key(),
                               with_trusted ? std::optional(trusted_) : std::nullopt);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : LedgerReport{};
  }
  std::string Problems(const LedgerReport& report) {
    std::string all;
    for (const auto& problem : report.problems) all += problem + "\n";
    return all;
  }

  fs::path dir_;
  std::shared_ptr<const LedgerSigningKey> key_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  TreeHead trusted_;
};

TEST_F(LedgerTamperTest, AnIntactLedgerVerifiesAndItsProofsCheckOut) {
  const auto report = Verify(true);
  EXPECT_TRUE(report.intact()) << Problems(report);
  EXPECT_EQ(report.entries, 6);
  EXPECT_EQ(report.heads, 2);
  EXPECT_EQ(report.unsealed, 0);
  EXPECT_EQ(report.root, trusted_.root);

  auto sealer = Sealer();
  for (uint64_t i = 0; i < 6; ++i) {
    auto proof = sealer->InclusionProof(i, 6);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_TRUE(VerifyInclusion(report.leaves[i], i, 6, *proof, trusted_.root));
  }
  auto heads = store_->TreeHeads();
  auto first = FromRecord(heads->front());
  ASSERT_TRUE(first);
  auto consistency = sealer->ConsistencyProof(3, 6);
  ASSERT_TRUE(consistency);
  EXPECT_TRUE(VerifyConsistency(3, 6, first->root, trusted_.root, *consistency));
  EXPECT_FALSE(sealer->InclusionProof(6, 7));  // past the newest head
  EXPECT_FALSE(sealer->ConsistencyProof(5, 4));
}

TEST_F(LedgerTamperTest, NewEntriesAreSealedAndAnUnsealedTailIsReported) {
  ASSERT_TRUE(store_->RecordChange({"test.change", "thing:6"}, 2000));
  EXPECT_EQ(Verify().unsealed, 1);
  auto sealer = Sealer();
  auto head = sealer->Seal();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, 7u);
  EXPECT_TRUE(VerifyTreeHead(*head, key_->public_key()));
  const auto report = Verify(true);  // the log grew: the old trusted head still holds
  EXPECT_TRUE(report.intact()) << Problems(report);
  EXPECT_EQ(report.unsealed, 0);
}

struct Attack {
  std::string name;
  std::function<std::string(LedgerTamperTest&)> sql;
  std::string caught_as;  // a phrase of the problem VerifyLedger reports
  bool needs_trusted = false;
};

TEST_F(LedgerTamperTest, EveryEditOfTheStoredLedgerIsCaught) {
  const std::vector<Attack> attacks = {
      {"edit an entry's text",
       [](auto&) {
         return "UPDATE ledger_entries SET entry = replace(entry, 'thing:1', 'thing:9') "
                "WHERE idx = 1";
       },
       "does not hash to its stored leaf hash"},
      {"edit an entry's text and recompute its leaf hash",
       [](auto& t) {
         std::string text = t.Text(1);
         text.replace(text.find("thing:1"), 7, "thing:9");
         return t.Rewrite(1, text);
       },
       "no longer have the root"},
      {"edit a column only (hide an entry from queries by subject)",
       [](auto&) { return "UPDATE ledger_entries SET subject = 'elsewhere' WHERE idx = 4"; },
       "column 'subject' differs"},
      {"edit who did it", [](auto&) { return "UPDATE ledger_entries SET actor = 'nobody'"; },
       "column 'actor' differs"},
      {"delete an entry in the middle",
       [](auto&) { return "DELETE FROM ledger_entries WHERE idx = 2"; }, "entry 2 is missing"},
      {"delete the newest entry", [](auto&) { return "DELETE FROM ledger_entries WHERE idx = 5"; },
       "covers more entries than there are"},
      {"truncate the log and the heads that cover the removed entries",
       [](auto&) {
         return "DELETE FROM ledger_entries WHERE idx >= 3; DELETE FROM ledger_heads "
                "WHERE size > 3";
       },
       "it was truncated", true},
      {"swap two entries",
       [](auto&) {
         return "UPDATE ledger_entries SET idx = -1 WHERE idx = 2; "
                "UPDATE ledger_entries SET idx = 2 WHERE idx = 3; "
                "UPDATE ledger_entries SET idx = 3 WHERE idx = -1;";
       },
       "(moved)"},
      {"swap two entries and renumber their text and leaf hashes",
       [](auto& t) {
         const std::string a = t.Text(3), b = t.Text(4);
         return t.Rewrite(3, t.Renumbered(b, 3)) + t.Rewrite(4, t.Renumbered(a, 4));
       },
       "no longer have the root"},
      {"insert a forged entry in the middle, renumbering the rest",
       [](auto& t) {
         std::string sql;
         for (int64_t i = 5; i >= 2; --i) {
           sql += "UPDATE ledger_entries SET idx = " + std::to_string(i + 1) +
                  " WHERE idx = " + std::to_string(i) + ";";
         }
         for (int64_t i = 2; i <= 5; ++i) sql += t.Rewrite(i + 1, t.Renumbered(t.Text(i), i + 1));
         const std::string forged = t.Renumbered(t.Text(1), 2);
         sql +=
             "INSERT INTO ledger_entries(idx, at, actor, action, subject, entry, leaf_hash) "
             "VALUES (2, 1001, 'system', 'test.change', 'thing:1', '" +
             forged + "', '" + Leaf(forged) + "');";
         return sql;
       },
       "no longer have the root"},
      {"forge a head's root",
       [](auto&) {
         return "UPDATE ledger_heads SET root = '" + std::string(64, '0') + "' WHERE size = 6";
       },
       "not signed by this data directory's ledger key"},
      {"replace every head and entry with a rewritten history (caught by the saved head)",
       [](auto& t) {
         std::string sql = "DELETE FROM ledger_heads;";
         std::string text = t.Text(0);
         text.replace(text.find("thing:0"), 7, "thing:X");
         return sql + t.Rewrite(0, text);
       },
       "the ledger was rewritten since", true},
  };
  for (const auto& attack : attacks) {
    SCOPED_TRACE(attack.name);
    TearDown();
    SetUp();
    const std::string sql = attack.sql(*this);
    Tamper(sql);
    const auto report = Verify(attack.needs_trusted);
    EXPECT_FALSE(report.intact());
    EXPECT_THAT(Problems(report), HasSubstr(attack.caught_as));
    // The server's sealer sees the same and refuses to sign over it.
    if (!attack.needs_trusted) {
      auto sealer = Sealer();
      ASSERT_TRUE(sealer);
      auto sealed = sealer->Seal();
      ASSERT_FALSE(sealed);
      EXPECT_THAT(sealed.error().message, HasSubstr("failed verification"));
    }
  }
}

TEST_F(LedgerTamperTest, AnEntryEditedAfterTheSealerLoadedIsNotSigned) {
  auto sealer = Sealer();
  ASSERT_TRUE(store_->RecordChange({"test.change", "thing:6"}, 2000));
  ASSERT_TRUE(store_->RecordChange({"test.change", "thing:7"}, 2001));
  {
    auto db = store::Database::Open(dir_ / "aimass.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        (*db)->Exec("UPDATE ledger_entries SET entry = replace(entry, 'thing:7', "
                    "'thing:8') WHERE idx = 7"));
  }
  auto sealed = sealer->Seal();
  ASSERT_FALSE(sealed);
  EXPECT_THAT(sealed.error().message, HasSubstr("entry 7's text does not hash"));
  EXPECT_EQ(sealer->Head()->size, 6u);
}

}  // namespace
}  // namespace aimass::security::ledger
