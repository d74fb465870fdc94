// RegistryService: registering (members before metadata, nothing half-registered),
// aliases, tags, search, members, deletion and the blobs it frees.
#include "registry/registry_service.h"

#include <gtest/gtest.h>

#include "common/files.h"
#include "registry/registry_test_fixture.h"

namespace aimass::registry {
namespace {
using testing::RegistryTest;

TEST_F(RegistryTest, RegisteringStoresMembersAsBlobsAndNumbersVersions) {
  auto v1 = Register("credit");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->version, 1);
  ASSERT_EQ(v1->members.size(), 2u);
  EXPECT_EQ(v1->members[0].name, "learners/0.ubj");
  EXPECT_EQ(v1->members[0].size_bytes, 7);
  EXPECT_EQ(v1->members[0].blob_hash, Sha256Hex(std::string("trees\0\x01", 7)));
  EXPECT_TRUE(blobs_->Contains(v1->members[1].blob_hash));
  EXPECT_EQ(Register("credit", "other learner")->version, 2);
  auto model = registry_->Get("credit");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->version_count, 2);
  EXPECT_EQ(Count().scratch, 0u);
  // The member files were moved into the blob store.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "in"));
}

TEST_F(RegistryTest, ABadVersionIsRefusedAndItsFilesRemoved) {
  auto bad_task = Info("credit");
  bad_task.task = "ranking";
  auto refused = registry_->Register(bad_task, {{"model.json", File("{}")}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("task 'ranking'"), std::string::npos);
  auto bad_metrics = Info("credit");
  bad_metrics.metrics_json = "[1,2]";
  EXPECT_NE(registry_->Register(bad_metrics, {{"model.json", File("{}")}})
                .error()
                .message.find("metrics must be an object"),
            std::string::npos);
  auto twice =
      registry_->Register(Info("credit"), {{"model.json", File("a")}, {"model.json", File("b")}});
  EXPECT_NE(twice.error().message.find("given twice"), std::string::npos);
  EXPECT_NE(registry_->Register(Info("credit"), {}).error().message.find("at least one"),
            std::string::npos);
  EXPECT_NE(
      registry_->Register(Info("credit"), {{"../evil", File("x")}}).error().message.find("'..'"),
      std::string::npos);
  EXPECT_EQ(Count(), Counts{});
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "in"));
}

TEST_F(RegistryTest, ACommitWithALostLeaseLeavesNoBlobBehind) {
  ASSERT_TRUE(Register("credit", "shared learner"));
  const Counts before = Count();
  ASSERT_TRUE(store_->EnqueueJob("model.train", "{}", 1));
  auto job = store_->ClaimJob("w1", {}, 100, 1);
  ASSERT_TRUE(job && *job);
  store::JobLease stale{(*job)->id, (*job)->fence};
  ASSERT_TRUE(store_->RequeueExpiredJobs(1000, 3));
  // One member is new, one shares its bytes with credit@1: only the new one may go.
  auto committed = registry_->Commit(
      Info("trained"),
      {{"model.json", File("new bytes")}, {"learners/0.ubj", File("shared learner")}}, stale,
      [](const auto&) { return "{}"; });
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count(), before);
  EXPECT_TRUE(registry_->OpenMember({"credit", 1, ""}, "learners/0.ubj"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "in"));
}

TEST_F(RegistryTest, ACommitWithTheLeaseFinishesTheJob) {
  ASSERT_TRUE(store_->EnqueueJob("model.train", "{}", 1));
  auto job = store_->ClaimJob("w1", {}, clock_.NowMillis() + 60000, 1);
  ASSERT_TRUE(job && *job);
  auto committed = registry_->Commit(
      Info("trained"), {{"model.json", File("{}")}}, {(*job)->id, (*job)->fence},
      [](const store::ModelVersionRecord& v) { return "{\"ref\":\"" + v.model_name + "\"}"; });
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(committed->job_id, (*job)->id);
  EXPECT_EQ(store_->GetJob((*job)->id)->result_json, "{\"ref\":\"trained\"}");
}

TEST_F(RegistryTest, AliasesResolveMoveAndRefuseNumbersAndUnknownVersions) {
  ASSERT_TRUE(Register("credit"));
  ASSERT_TRUE(Register("credit", "second"));
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  EXPECT_EQ(registry_->Version(*ParseModelRef("credit@champion"))->version, 1);
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  EXPECT_EQ(registry_->Version(*ParseModelRef("credit@champion"))->version, 2);
  EXPECT_EQ(registry_->SetAlias("credit", "7", 1).error().code, ErrorCode::kInvalidArgument);
  auto unknown = registry_->SetAlias("credit", "challenger", 5);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(registry_->Version(*ParseModelRef("credit@challenger")).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(registry_->DeleteAlias("credit", "champion"));
  EXPECT_TRUE(registry_->Get("credit")->aliases.empty());
}

TEST_F(RegistryTest, CreateTagDescribeAndSearch) {
  auto created = registry_->CreateModel({"churn", "who leaves", {{"team", "growth"}}});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->description, "who leaves");
  EXPECT_EQ(registry_->CreateModel({"churn", "", {}}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(registry_->CreateModel({"bad name", "", {}}).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Register("credit"));
  ASSERT_TRUE(registry_->SetTag("credit", "team", "risk"));
  EXPECT_EQ(registry_->Describe("credit", "scores loans")->description, "scores loans");
  store::ModelFilter filter;
  filter.tags = {{"team", "risk"}};
  filter.metric = store::MetricThreshold{"roc_auc", store::Comparison::kGreater, 0.9};
  auto found = registry_->Search(filter);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].name, "credit");
  filter.metric->value = 0.95;
  EXPECT_TRUE(registry_->Search(filter)->empty());
  EXPECT_EQ(registry_->DeleteTag("credit", "team")->tags.size(), 0u);
}

TEST_F(RegistryTest, MembersOpenForServing) {
  auto v1 = Register("credit", "the learner bytes");
  ASSERT_TRUE(v1);
  auto member = registry_->OpenMember({"credit", 0, ""}, "learners/0.ubj");
  ASSERT_TRUE(member) << member.error().message;
  EXPECT_EQ(*ReadFile(member->file.path()), "the learner bytes");
  EXPECT_EQ(member->version.version, 1);
  auto missing = registry_->OpenMember({"credit", 1, ""}, "nope.bin");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("learners/0.ubj, model.json"), std::string::npos);
}

TEST_F(RegistryTest, DeletingFreesOnlyBlobsNothingElseUses) {
  auto v1 = Register("credit", "learner one");
  auto v2 = Register("credit", "learner two");  // shares model.json's bytes with v1
  ASSERT_TRUE(v1 && v2);
  const std::string only_v1 = v1->members[0].blob_hash;
  const std::string shared = v1->members[1].blob_hash;
  ASSERT_EQ(shared, v2->members[1].blob_hash);
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  auto refused = registry_->DeleteVersion({"credit", 1, ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(blobs_->Contains(only_v1));
  ASSERT_TRUE(registry_->DeleteAlias("credit", "champion"));
  ASSERT_TRUE(registry_->DeleteVersion({"credit", 1, ""}));
  EXPECT_FALSE(blobs_->Contains(only_v1));
  EXPECT_TRUE(blobs_->Contains(shared));
  EXPECT_TRUE(registry_->CheckNotDeployed(*v2));  // no serving yet: always passes
  ASSERT_TRUE(registry_->DeleteModel("credit"));
  EXPECT_EQ(Count(), Counts{});
  EXPECT_EQ(registry_->DeleteModel("credit").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aimass::registry

namespace aimass::registry {
namespace {

// An endpoint keeps what it serves: the version it resolves to now (by number, alias or as
// the newest), the alias it follows, and the model it names.
TEST_F(RegistryTest, WhatAnEndpointServesCannotBeDeleted) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Register("credit", "learner " + std::to_string(i)));
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  store::EndpointRecord fraud;
  fraud.name = "fraud";
  fraud.model = "credit@champion";
  fraud.canary = "credit@3";
  fraud.canary_percent = 10;
  ASSERT_TRUE(store_->CreateEndpoint(fraud, 1));
  store::EndpointRecord newest;
  newest.name = "newest";
  newest.model = "credit";
  ASSERT_TRUE(store_->CreateEndpoint(newest, 1));

  for (int64_t served : {2, 3, 4}) {
    auto refused = registry_->DeleteVersion({"credit", served, ""});
    ASSERT_FALSE(refused) << served;
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("is served by endpoint"), std::string::npos)
        << refused.error().message;
  }
  auto alias = registry_->DeleteAlias("credit", "champion");
  ASSERT_FALSE(alias);
  EXPECT_NE(alias.error().message.find("alias 'credit@champion' is used by endpoint 'fraud'"),
            std::string::npos)
      << alias.error().message;
  auto model = registry_->DeleteModel("credit");
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::kConflict);
  EXPECT_EQ(registry_->Versions("credit")->size(), 4u);  // nothing was deleted

  // Version 1 is served by no one.
  EXPECT_TRUE(registry_->DeleteVersion({"credit", 1, ""}));
  // Once the endpoints are gone, everything may go.
  ASSERT_TRUE(store_->DeleteEndpoint("fraud"));
  ASSERT_TRUE(store_->DeleteEndpoint("newest"));
  EXPECT_TRUE(registry_->DeleteAlias("credit", "champion"));
  EXPECT_TRUE(registry_->DeleteModel("credit"));
}

}  // namespace
}  // namespace aimass::registry
