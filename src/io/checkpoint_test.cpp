// Tests of checkpoint directories: the round trip, replacement, saves interrupted at each step
// (simulated, and by killing a saving process), and one test per way a checkpoint can be wrong.
#include "strider/io/checkpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;

Checkpoint sample(float value = 1.0f) {
  Checkpoint c;
  c.model_spec = "input(4,4,1); conv(2,3); flatten; dense(3)";
  c.metadata = {{"epoch", 3}, {"optimizer", {{"name", "adam"}, {"lr", 0.001}}}, {"value", value}};
  Tensor filter({3, 3, 1, 2});
  for (std::int64_t i = 0; i < filter.size(); ++i) {
    filter.values()[static_cast<std::size_t>(i)] = value + static_cast<float>(i) * 0.25f;
  }
  filter.values()[1] = std::numeric_limits<float>::quiet_NaN();
  filter.values()[2] = -std::numeric_limits<float>::infinity();
  c.tensors.emplace_back("conv2d/kernel", filter);
  c.tensors.emplace_back("conv2d/bias", Tensor(Shape{2}, std::vector<float>{value, -value}));
  c.tensors.emplace_back("step", Tensor(Shape{}, std::vector<float>{42.0f}));
  c.tensors.emplace_back("empty", Tensor(Shape{0, 3}));
  return c;
}

void expect_same(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.model_spec, b.model_spec);
  EXPECT_EQ(a.metadata, b.metadata);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(a.tensors[i].first, b.tensors[i].first);
    EXPECT_EQ(a.tensors[i].second.shape(), b.tensors[i].second.shape());
    ASSERT_EQ(a.tensors[i].second.size(), b.tensors[i].second.size());
    // Bit for bit, NaN included.
    EXPECT_EQ(std::memcmp(a.tensors[i].second.data(), b.tensors[i].second.data(),
                          static_cast<std::size_t>(a.tensors[i].second.size()) * sizeof(float)),
              0)
        << a.tensors[i].first;
  }
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("strider_checkpoint_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  Json manifest() const {
    std::ifstream in(dir_ / "checkpoint.json");
    return Json::parse(in);
  }
  void write_manifest(const Json& doc) const { write_text("checkpoint.json", doc.dump()); }
  void write_text(const std::string& name, const std::string& text) const {
    write_file_atomic(dir_ / name, std::as_bytes(std::span(text)));
  }
  fs::path data_path() const { return dir_ / manifest()["data_file"].get<std::string>(); }

  std::string load_error() const {
    try {
      load_checkpoint(dir_);
    } catch (const FormatError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no FormatError";
    return {};
  }

  fs::path dir_;
};

TEST_F(CheckpointTest, RoundTripsSpecMetadataAndTensorsBitForBit) {
  EXPECT_FALSE(checkpoint_exists(dir_));
  save_checkpoint(dir_, sample());
  EXPECT_TRUE(checkpoint_exists(dir_));
  expect_same(load_checkpoint(dir_), sample());
  const std::vector<std::string> names = files();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "checkpoint.json");
  EXPECT_THAT(names[1], ::testing::MatchesRegex("tensors-[0-9a-f]{16}\\.bin"));
  EXPECT_EQ(fs::file_size(dir_ / names[1]), (18 + 2 + 1) * sizeof(float));
}

TEST_F(CheckpointTest, ASaveReplacesThePreviousOneAndRemovesItsData) {
  save_checkpoint(dir_, sample(1.0f));
  const fs::path first_data = data_path();
  save_checkpoint(dir_, sample(2.0f));
  expect_same(load_checkpoint(dir_), sample(2.0f));
  EXPECT_FALSE(fs::exists(first_data));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(CheckpointTest, ASaveInterruptedBeforeTheManifestLeavesThePreviousOneLoadable) {
  save_checkpoint(dir_, sample(1.0f));
  // What a kill leaves at each earlier step: a data file's temporary, a complete data file the
  // manifest never named, and a manifest's temporary.
  write_text(".tensors-00000000000000aa.bin.tmp.Ab3dE9", "partial");
  write_text("tensors-00000000000000aa.bin", std::string(84, 'x'));
  write_text(".checkpoint.json.tmp.Zz9yX8", "{\"format\": \"strider-chec");
  expect_same(load_checkpoint(dir_), sample(1.0f));
  // The next save clears them.
  save_checkpoint(dir_, sample(3.0f));
  expect_same(load_checkpoint(dir_), sample(3.0f));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(CheckpointTest, ASaveInterruptedBeforeItsCleanUpLeavesTheNewOneLoadable) {
  save_checkpoint(dir_, sample(1.0f));
  const fs::path first_data = data_path();
  const std::vector<std::byte> first_bytes = read_file(first_data);
  save_checkpoint(dir_, sample(2.0f));
  write_file_atomic(first_data, first_bytes);  // as if the removal had not happened
  expect_same(load_checkpoint(dir_), sample(2.0f));
  save_checkpoint(dir_, sample(4.0f));
  EXPECT_FALSE(fs::exists(first_data));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(CheckpointTest, AKilledSaveAlwaysLeavesACompleteCheckpoint) {
  // A child saves checkpoints whose every value is its save's number; it is killed at a random
  // moment, and what is on disk must load and be one whole checkpoint, never a mix.
  Checkpoint c;
  c.model_spec = "input(1)";
  c.tensors.emplace_back("w", Tensor({1 << 18}));
  save_checkpoint(dir_, c);
  std::mt19937 random(2026);
  for (int round = 0; round < 12; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        for (int k = 1;; ++k) {
          c.metadata = {{"k", k}};
          std::fill(c.tensors[0].second.values().begin(), c.tensors[0].second.values().end(),
                    static_cast<float>(k));
          save_checkpoint(dir_, c);
        }
      } catch (...) {
        ::_exit(1);
      }
    }
    ::usleep(std::uniform_int_distribution<useconds_t>(0, 20000)(random));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the saving child failed on its own";
    const Checkpoint loaded = load_checkpoint(dir_);
    const float k = loaded.metadata.is_null() ? 0.0f : loaded.metadata["k"].get<float>();
    const std::span<const float> values = loaded.tensors.at(0).second.values();
    EXPECT_EQ(std::count(values.begin(), values.end(), k), 1 << 18) << "round " << round;
  }
}

TEST_F(CheckpointTest, RefusesBadTensorNamesOnSaveAndKeepsThePreviousOne) {
  save_checkpoint(dir_, sample(1.0f));
  Checkpoint twice = sample(2.0f);
  twice.tensors.emplace_back("step", Tensor({1}));
  EXPECT_THROW(save_checkpoint(dir_, twice), InvalidArgument);
  Checkpoint unnamed = sample(2.0f);
  unnamed.tensors[0].first.clear();
  EXPECT_THROW(save_checkpoint(dir_, unnamed), InvalidArgument);
  Checkpoint not_utf8 = sample(2.0f);
  not_utf8.model_spec = "input(\xff)";
  EXPECT_THROW(save_checkpoint(dir_, not_utf8), InvalidArgument);
  expect_same(load_checkpoint(dir_), sample(1.0f));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(CheckpointTest, RefusesAMissingDirectoryOrManifest) {
  try {
    load_checkpoint(dir_);
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not exist"));
  }
  fs::create_directories(dir_);
  try {
    load_checkpoint(dir_);
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is not a checkpoint directory: no checkpoint.json"));
  }
}

TEST_F(CheckpointTest, RefusesAMissingDataFile) {
  save_checkpoint(dir_, sample());
  const fs::path data = data_path();
  fs::remove(data);
  try {
    load_checkpoint(dir_);
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(data.string()));
  }
}

TEST_F(CheckpointTest, RefusesMalformedJson) {
  save_checkpoint(dir_, sample());
  write_text("checkpoint.json", "{\"format\": ");
  const std::string error = load_error();
  EXPECT_THAT(error, HasSubstr((dir_ / "checkpoint.json").string() + ": malformed JSON"));
}

TEST_F(CheckpointTest, RefusesAnotherFormatOrVersion) {
  save_checkpoint(dir_, sample());
  Json doc = manifest();
  doc["version"] = 2;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("unsupported checkpoint version 2 (this build reads "
                                      "version 1)"));
  doc["version"] = 1;
  doc["format"] = "keras";
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("not a Strider checkpoint"));
  write_manifest(Json::array());
  EXPECT_THAT(load_error(), HasSubstr("must be a JSON object"));
}

TEST_F(CheckpointTest, RefusesAChecksumMismatch) {
  save_checkpoint(dir_, sample());
  std::vector<std::byte> data = read_file(data_path());
  data[5] ^= std::byte{1};
  write_file_atomic(data_path(), data);
  EXPECT_THAT(load_error(), HasSubstr("checksum mismatch: the data's CRC-32 is 0x"));
}

TEST_F(CheckpointTest, RefusesADataFileOfAnotherSize) {
  save_checkpoint(dir_, sample());
  std::vector<std::byte> data = read_file(data_path());
  data.pop_back();
  write_file_atomic(data_path(), data);
  EXPECT_THAT(load_error(), HasSubstr(": 83 bytes, but "));
}

TEST_F(CheckpointTest, RefusesShapesThatDisagreeWithTheBytes) {
  save_checkpoint(dir_, sample());
  Json doc = manifest();
  doc["tensors"][1]["shape"] = {3};
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'tensors[1].bytes' is 8, but shape (3,) of float32 "
                                      "needs 12"));
  doc["tensors"][1]["shape"] = {2};
  doc["tensors"][1]["offset"] = 0;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'tensors[1].offset' is 0, expected 72"));
  doc["tensors"][1]["offset"] = 72;
  doc["data_bytes"] = 88;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("account for 84 bytes, but 'data_bytes' is 88"));
  doc["data_bytes"] = 84;
  doc["tensors"][0]["shape"] = {4294967296, 4294967296, 2};
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("overflows 64-bit sizes"));
  doc["tensors"][0]["shape"] = {3, 3, -1, 2};
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'tensors[0].shape[2]' is negative"));
  doc["tensors"][0]["shape"] = {1, 1, 1, 1, 1, 1, 1, 1, 18};
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("at most 8 extents"));
}

TEST_F(CheckpointTest, RefusesDuplicateNames) {
  save_checkpoint(dir_, sample());
  Json doc = manifest();
  doc["tensors"][1]["name"] = "conv2d/kernel";
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("tensor name \"conv2d/kernel\" appears twice"));
}

TEST_F(CheckpointTest, RefusesMissingAndMistypedFields) {
  save_checkpoint(dir_, sample());
  const Json original = manifest();
  Json doc = original;
  doc["tensors"][0].erase("offset");
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("missing 'tensors[0].offset'"));
  doc = original;
  doc["tensors"][0]["offset"] = 0.5;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'tensors[0].offset' must be an integer"));
  doc = original;
  doc["model_spec"] = 3;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'model_spec' must be a string"));
  doc = original;
  doc["tensors"][0]["dtype"] = "float64";
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'tensors[0].dtype' must be \"float32\""));
  doc = original;
  doc["data_crc32"] = -1;
  write_manifest(doc);
  EXPECT_THAT(load_error(), HasSubstr("'data_crc32' must be a 32-bit unsigned value"));
}

TEST_F(CheckpointTest, RefusesADataFileOutsideTheDirectory) {
  save_checkpoint(dir_, sample());
  Json doc = manifest();
  for (const char* name : {"../tensors-a.bin", "tensors-.bin", "/etc/passwd", "tensors-a/b.bin"}) {
    doc["data_file"] = name;
    write_manifest(doc);
    EXPECT_THAT(load_error(), HasSubstr("'data_file' must be a name tensors-")) << name;
  }
}

TEST_F(CheckpointTest, RefusesDeepNesting) {
  save_checkpoint(dir_, sample());
  std::string deep = manifest().dump();
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  deep.insert(deep.size() - 1, ", \"extra\": " + nested);
  write_text("checkpoint.json", deep);
  EXPECT_THAT(load_error(), HasSubstr("nested deeper than 64 levels"));
}

TEST(DecodeCheckpoint, NamesTheManifestInEveryError) {
  EXPECT_THROW(decode_checkpoint("", {}, "m.json"), FormatError);
  try {
    decode_checkpoint("{}", {}, "m.json");
    FAIL() << "no FormatError";
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "m.json: missing 'format'");
  }
}

}  // namespace
}  // namespace strider::io
