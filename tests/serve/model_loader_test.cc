// The model loader's notes: what could not be compiled is said once per kind of member, with
// how many members it is about, not once per member.
#include "serve/model_loader.h"

#include <gtest/gtest.h>

#include "serve/serve_fixture.h"

namespace aimass::serve {
namespace {

class ModelLoaderTest : public testing::ServeTest {};

TEST_F(ModelLoaderTest, AlikeMembersShareOneNote) {
  train::TrainingSpec spec = train::testing::Spec(60);
  spec.max_trials = 1;
  spec.learners = {"linear"};
  spec.ensemble = train::EnsembleMode::kNone;
  spec.cv_folds = 2;
  auto result = train::RunAutoMl(train::testing::MakeFrame(200, train::Task::kBinary), spec,
                                 train::testing::Environment());
  ASSERT_TRUE(result) << result.error().message;
  auto files = result->pipeline->Save();
  ASSERT_TRUE(files) << files.error().message;
  // Three votes of the same linear model, as bagging leaves alike members.
  nlohmann::json manifest = files->manifest;
  const nlohmann::json member = manifest["members"][0];
  manifest["members"] = {member, member, member};
  manifest["combination"] = {{"kind", "voting"}, {"weights", {1.0 / 3, 1.0 / 3, 1.0 / 3}}};
  auto bytes = files->files;
  bytes[train::kPipelineManifest] = manifest.dump();

  auto loaded = loader_->Load(RegisterFiles("bagged", bytes));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ((*loaded)->notes.size(), 1u) << nlohmann::json((*loaded)->notes).dump();
  EXPECT_NE((*loaded)->notes[0].find("linear: "), std::string::npos);
  EXPECT_NE((*loaded)->notes[0].find("(3 members)"), std::string::npos) << (*loaded)->notes[0];

  // A single member's note has no count.
  auto single = loader_->Load(RegisterFiles("single", files->files));
  ASSERT_TRUE(single) << single.error().message;
  ASSERT_EQ((*single)->notes.size(), 1u);
  EXPECT_EQ((*single)->notes[0].find("members)"), std::string::npos) << (*single)->notes[0];
}

}  // namespace
}  // namespace aimass::serve
