// The project half of SqliteStore: projects, members and roles, which project things join
// (ProjectScope), and the refusal to change another project's things.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"
#include "common/project_scope.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {
namespace fs = std::filesystem;

class SqliteStoreProjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-store-projects-" + RandomHex(6));
    fs::create_directories(dir_);
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto alpha = store_->CreateProject("alpha", "the first", 10);
    ASSERT_TRUE(alpha) << alpha.error().message;
    alpha_ = alpha->id;
    ana_ = store_->CreateUser("ana", false)->id;
    bo_ = store_->CreateUser("bo", false)->id;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static EndpointRecord Endpoint(const std::string& name) {
    EndpointRecord record;
    record.name = name;
    record.model = "m@1";
    return record;
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  int64_t alpha_ = 0, ana_ = 0, bo_ = 0;
};

TEST_F(SqliteStoreProjectsTest, ProjectsAndRoles) {
  auto taken = store_->CreateProject("alpha", "", 11);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);

  ASSERT_TRUE(store_->SetProjectRole("alpha", "ana", ProjectRole::kOwner, 12));
  ASSERT_TRUE(store_->SetProjectRole("alpha", "bo", ProjectRole::kViewer, 13));
  ASSERT_TRUE(store_->SetProjectRole("alpha", "bo", ProjectRole::kEditor, 14));  // changes it
  auto members = store_->ListProjectMembers("alpha");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].user_name, "ana");
  EXPECT_EQ((*members)[0].role, ProjectRole::kOwner);
  EXPECT_EQ((*members)[1].role, ProjectRole::kEditor);

  auto roles = store_->ProjectRoles(bo_);
  ASSERT_TRUE(roles);
  EXPECT_EQ(roles->at(alpha_), ProjectRole::kEditor);
  // Every project for 0; only its own for a user ("default" holds no one here).
  EXPECT_EQ(store_->ListProjects(0)->size(), 2u);
  ASSERT_EQ(store_->ListProjects(ana_)->size(), 1u);
  EXPECT_EQ(store_->ListProjects(ana_)->front().name, "alpha");

  ASSERT_TRUE(store_->SetProjectRole("alpha", "bo", ProjectRole::kNone, 15));
  EXPECT_TRUE(store_->ProjectRoles(bo_)->empty());
  EXPECT_EQ(store_->SetProjectRole("alpha", "bo", ProjectRole::kNone, 16).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetProjectRole("alpha", "nobody", ProjectRole::kViewer, 16).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetProjectRole("gamma", "ana", ProjectRole::kViewer, 16).error().code,
            ErrorCode::kNotFound);

  // Each change is in the ledger.
  auto entries = store_->LedgerEntriesAbout({"project:alpha"});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].action, "project.created");
  EXPECT_EQ((*entries)[4].action, "project.member.removed");
}

TEST_F(SqliteStoreProjectsTest, ThingsJoinTheCurrentProject) {
  ASSERT_TRUE(store_->SetProjectRole("alpha", "ana", ProjectRole::kViewer, 12));
  {
    ProjectScope scope(alpha_);
    ASSERT_TRUE(store_->CreateEndpoint(Endpoint("web"), 20));
    ASSERT_TRUE(store_->CreateModel({"fraud", "", {}}, 21));
    auto job = store_->EnqueueJob("dataset.import", "{}", 22);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->project, "alpha");
  }
  ASSERT_TRUE(store_->CreateEndpoint(Endpoint("other"), 23));  // outside: "default"
  EXPECT_EQ(store_->GetEndpoint("web")->project, "alpha");
  EXPECT_EQ(store_->GetEndpoint("other")->project, "default");
  EXPECT_EQ(store_->GetModel("fraud")->project_id, alpha_);

  auto access = store_->AccessTo(ProjectResource::kEndpoint, "web", ana_);
  ASSERT_TRUE(access && *access);
  EXPECT_EQ((*access)->project, "alpha");
  EXPECT_EQ((*access)->role, ProjectRole::kViewer);
  access = store_->AccessTo(ProjectResource::kEndpoint, "other", ana_);
  ASSERT_TRUE(access && *access);
  EXPECT_EQ((*access)->role, ProjectRole::kNone);
  access = store_->AccessTo(ProjectResource::kModel, "missing", ana_);
  ASSERT_TRUE(access);
  EXPECT_FALSE(*access);
  access = store_->AccessTo(ProjectResource::kJob, "1", ana_);
  ASSERT_TRUE(access && *access);
  EXPECT_EQ((*access)->project, "alpha");
  access = store_->AccessTo(ProjectResource::kJob, "1 OR 1=1", ana_);
  ASSERT_TRUE(access);
  EXPECT_FALSE(*access);

  JobFilter only_default;
  only_default.projects = std::vector<int64_t>{kDefaultProjectId};
  auto listed = store_->ListJobs(only_default);
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_TRUE(listed->empty()) << listed->front().project_id;
  JobFilter only_alpha;
  only_alpha.projects = std::vector<int64_t>{alpha_};
  EXPECT_EQ(store_->ListJobs(only_alpha)->size(), 1u);
}

TEST_F(SqliteStoreProjectsTest, AnotherProjectsModelIsNotChanged) {
  {
    ProjectScope scope(alpha_);
    ASSERT_TRUE(store_->CreateModel({"fraud", "alpha's", {}}, 20));
  }
  // Work in "default" must not add to or take over alpha's model of the same name.
  auto refused = store_->CreateModel({"fraud", "default's", {}}, 21);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.error().message.find("belongs to project 'alpha'"), std::string::npos);
  NewModelVersion version;
  version.model_name = "fraud";
  version.task = "binary";
  auto added = store_->AddModelVersion(version, 22);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(store_->GetModel("fraud")->description, "alpha's");
  EXPECT_EQ(store_->GetModel("fraud")->version_count, 0);
}

TEST_F(SqliteStoreProjectsTest, DeleteOnlyAnEmptyProject) {
  {
    ProjectScope scope(alpha_);
    ASSERT_TRUE(store_->CreateEndpoint(Endpoint("web"), 20));
  }
  auto held = store_->DeleteProject("alpha");
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().code, ErrorCode::kConflict);
  EXPECT_NE(held.error().message.find("1 endpoints"), std::string::npos);
  ASSERT_TRUE(store_->DeleteEndpoint("web"));
  ASSERT_TRUE(store_->SetProjectRole("alpha", "ana", ProjectRole::kOwner, 21));
  ASSERT_TRUE(store_->DeleteProject("alpha"));
  EXPECT_EQ(store_->GetProject("alpha").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ProjectRoles(ana_)->empty());
  EXPECT_EQ(store_->DeleteProject("default").error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace aimass::store
