// Tests of the datasets and the batcher: conversion and validation of IDX arrays, finding the MNIST
// files in a directory, Debian's Fashion-MNIST itself, and the batcher's determinism.
#include "strider/data/dataset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::data {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

io::IdxArray u8_array(std::vector<std::int64_t> shape, std::vector<std::uint8_t> values) {
  io::IdxArray a;
  a.shape = std::move(shape);
  a.u8 = std::move(values);
  return a;
}

std::vector<std::byte> idx_bytes(const io::IdxArray& a) {
  std::vector<std::byte> out = {std::byte{0}, std::byte{0}, std::byte{8},
                                static_cast<std::byte>(a.shape.size())};
  for (const std::int64_t d : a.shape) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>(d >> shift));
  }
  for (const std::uint8_t v : a.u8) out.push_back(std::byte{v});
  return out;
}

// A dataset of n 1x2x1 images whose pixels are (i, i + 0.5) and whose label is i % 3, so that a
// batch shows which examples it holds.
Dataset numbered(std::int64_t n) {
  Dataset d;
  d.classes = 3;
  d.images = Tensor({n, 1, 2, 1});
  for (std::int64_t i = 0; i < n; ++i) {
    d.images.at(i, 0, 0, 0) = static_cast<float>(i);
    d.images.at(i, 0, 1, 0) = static_cast<float>(i) + 0.5f;
    d.labels.push_back(static_cast<std::int32_t>(i % 3));
  }
  return d;
}

// Every batch of one epoch, as the example indices it held; checks images and labels agree.
std::vector<std::vector<std::int64_t>> epoch_batches(Batcher& batcher, const Dataset& d) {
  std::vector<std::vector<std::int64_t>> batches;
  Tensor images;
  std::vector<std::int32_t> labels;
  while (batcher.next(images, labels)) {
    std::vector<std::int64_t> indices;
    EXPECT_EQ(images.dim(0), static_cast<std::int64_t>(labels.size()));
    for (std::int64_t k = 0; k < images.dim(0); ++k) {
      const auto index = static_cast<std::int64_t>(images.at(k, 0, 0, 0));
      EXPECT_EQ(images.at(k, 0, 1, 0), images.at(k, 0, 0, 0) + 0.5f);
      EXPECT_EQ(labels[static_cast<std::size_t>(k)], d.labels[static_cast<std::size_t>(index)]);
      indices.push_back(index);
    }
    batches.push_back(indices);
  }
  return batches;
}

class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("strider_dataset_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const io::IdxArray& a) {
    io::write_file_atomic(dir_ / name, idx_bytes(a));
  }
  // Two 2x2 training images, one test image; the dotted and dashed names mixed.
  void write_mnist() {
    write("train-images-idx3-ubyte", u8_array({2, 2, 2}, {0, 255, 51, 102, 1, 2, 3, 4}));
    write("train-labels.idx1-ubyte", u8_array({2}, {7, 0}));
    write("t10k-images-idx3-ubyte", u8_array({1, 2, 2}, {255, 255, 0, 0}));
    write("t10k-labels-idx1-ubyte", u8_array({1}, {9}));
  }

  fs::path dir_;
};

TEST(MakeDataset, ScalesBytesToTheUnitIntervalAndAddsAChannelAxis) {
  const Dataset d = make_dataset(u8_array({2, 1, 2}, {0, 255, 51, 1}), u8_array({2}, {4, 0}), 5,
                                 "images", "labels");
  EXPECT_EQ(d.images.shape(), (Shape{2, 1, 2, 1}));
  EXPECT_EQ(d.images.values()[0], 0.0f);
  EXPECT_EQ(d.images.values()[1], 1.0f);
  EXPECT_FLOAT_EQ(d.images.values()[2], 0.2f);
  EXPECT_FLOAT_EQ(d.images.values()[3], 1.0f / 255.0f);
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{4, 0}));
  EXPECT_EQ(d.classes, 5);
}

TEST(MakeDataset, KeepsAChannelAxis) {
  const Dataset d =
      make_dataset(u8_array({1, 1, 1, 3}, {1, 2, 3}), u8_array({1}, {0}), 10, "i", "l");
  EXPECT_EQ(d.images.shape(), (Shape{1, 1, 1, 3}));
}

TEST(MakeDataset, RefusesALabelOutOfRange) {
  try {
    make_dataset(u8_array({3, 1, 1}, {0, 0, 0}), u8_array({3}, {1, 10, 2}), 10, "img.idx",
                 "lab.idx");
    FAIL() << "no FormatError";
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "lab.idx: label 10 at index 1 is out of range [0, 10)");
  }
}

TEST(MakeDataset, RefusesDifferentImageAndLabelCounts) {
  try {
    make_dataset(u8_array({3, 1, 1}, {0, 0, 0}), u8_array({2}, {1, 2}), 10, "img.idx", "lab.idx");
    FAIL() << "no FormatError";
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "img.idx: 3 images but 2 labels in lab.idx");
  }
}

TEST(MakeDataset, RefusesOtherRanks) {
  EXPECT_THROW(make_dataset(u8_array({3, 1}, {0, 0, 0}), u8_array({3}, {0, 0, 0}), 10, "i", "l"),
               FormatError);
  EXPECT_THROW(make_dataset(u8_array({1, 1, 1}, {0}), u8_array({1, 1}, {0}), 10, "i", "l"),
               FormatError);
}

TEST(MakeDataset, RefusesDataThatDisagreesWithItsShape) {
  EXPECT_THROW(make_dataset(u8_array({2, 1, 1}, {0}), u8_array({2}, {0, 0}), 10, "i", "l"),
               FormatError);
}

TEST_F(DatasetFiles, LoadsAnMnistDirectoryPlainOrGzipWithEitherNaming) {
  write_mnist();
  for (const std::string& spec : {"mnist:" + dir_.string(), dir_.string()}) {
    const TrainTest data = load_dataset(spec);
    EXPECT_EQ(data.name, "mnist:" + dir_.string());
    EXPECT_EQ(data.train.images.shape(), (Shape{2, 2, 2, 1}));
    EXPECT_EQ(data.train.labels, (std::vector<std::int32_t>{7, 0}));
    EXPECT_EQ(data.train.images.values()[1], 1.0f);
    EXPECT_EQ(data.test.images.shape(), (Shape{1, 2, 2, 1}));
    EXPECT_EQ(data.test.labels, (std::vector<std::int32_t>{9}));
    EXPECT_EQ(data.test.classes, 10);
  }
}

TEST_F(DatasetFiles, NamesTheMissingFile) {
  write_mnist();
  fs::remove(dir_ / "t10k-labels-idx1-ubyte");
  try {
    load_mnist_dir(dir_);
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("mnist: no t10k-labels-idx1-ubyte[.gz]"));
    EXPECT_THAT(e.what(), HasSubstr(dir_.string()));
  }
  EXPECT_THROW(load_mnist_dir(dir_ / "absent"), IoError);
}

TEST_F(DatasetFiles, RefusesLabelsOutOfRangeInAFile) {
  write_mnist();
  write("t10k-labels-idx1-ubyte", u8_array({1}, {12}));
  try {
    load_mnist_dir(dir_);
    FAIL() << "no FormatError";
  } catch (const FormatError& e) {
    EXPECT_THAT(e.what(), HasSubstr("t10k-labels-idx1-ubyte: label 12 at index 0 is out of range"));
  }
}

TEST_F(DatasetFiles, RefusesTestImagesOfAnotherSize) {
  write_mnist();
  write("t10k-images-idx3-ubyte", u8_array({1, 1, 4}, {255, 255, 0, 0}));
  EXPECT_THROW(load_mnist_dir(dir_), FormatError);
}

TEST(LoadDataset, RefusesAnUnknownName) {
  try {
    load_dataset("cifar-10");
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("dataset 'cifar-10': expected fashion-mnist, mnist:DIR"));
  }
}

TEST(LoadFashionMnist, SaysHowToInstallItWhenMissing) {
  try {
    load_fashion_mnist("/nonexistent/fashion-mnist");
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'/nonexistent/fashion-mnist/train-images-idx3-ubyte.gz'"));
    EXPECT_THAT(e.what(), HasSubstr("apt-get install dataset-fashion-mnist"));
  }
}

TEST(LoadFashionMnist, ReadsDebiansFiles) {
  if (!fs::exists(fs::path(kFashionMnistDir) / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/install-deps.sh installs it)";
  }
  const TrainTest data = load_dataset("fashion-mnist");
  EXPECT_EQ(data.name, "fashion-mnist");
  EXPECT_EQ(data.train.images.shape(), (Shape{60000, 28, 28, 1}));
  EXPECT_EQ(data.test.images.shape(), (Shape{10000, 28, 28, 1}));
  ASSERT_EQ(data.train.labels.size(), 60000u);
  ASSERT_EQ(data.test.labels.size(), 10000u);
  EXPECT_EQ(data.train.classes, 10);
  // The first image of each split is an ankle boot (9); the pixel sums are the files' own bytes.
  EXPECT_EQ(data.train.labels[0], 9);
  EXPECT_EQ(data.test.labels[0], 9);
  const auto byte_sum = [](const Tensor& images) {
    double sum = 0;
    for (std::size_t i = 0; i < 28 * 28; ++i) sum += images.values()[i] * 255.0;
    return static_cast<std::int64_t>(std::lround(sum));
  };
  EXPECT_EQ(byte_sum(data.train.images), 76247);
  EXPECT_EQ(byte_sum(data.test.images), 33456);
  const auto [low, high] =
      std::minmax_element(data.train.images.values().begin(), data.train.images.values().end());
  EXPECT_EQ(*low, 0.0f);
  EXPECT_EQ(*high, 1.0f);
  std::vector<int> counts(10);
  for (const std::int32_t label : data.train.labels) ++counts[static_cast<std::size_t>(label)];
  EXPECT_EQ(counts, std::vector<int>(10, 6000));
}

TEST(Take, KeepsTheFirstExamples) {
  const Dataset d = numbered(5);
  const Dataset first = take(d, 2);
  EXPECT_EQ(first.images.shape(), (Shape{2, 1, 2, 1}));
  EXPECT_EQ(first.labels, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(first.images.at(1, 0, 1, 0), 1.5f);
  EXPECT_EQ(first.classes, 3);
  EXPECT_EQ(take(d, 99).labels.size(), 5u);
  EXPECT_EQ(take(d, 0).images.shape(), (Shape{0, 1, 2, 1}));
  EXPECT_THROW(take(d, -1), InvalidArgument);
}

TEST(Batcher, WithoutShuffleWalksInOrderAndKeepsTheLastPartialBatch) {
  const Dataset d = numbered(7);
  Batcher batcher(d, 3, false, 1);
  EXPECT_EQ(batcher.batches_per_epoch(), 3);
  EXPECT_EQ(epoch_batches(batcher, d),
            (std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}}));
  Tensor images;
  std::vector<std::int32_t> labels;
  EXPECT_FALSE(batcher.next(images, labels));
  batcher.start_epoch(1);
  EXPECT_EQ(epoch_batches(batcher, d).size(), 3u);
}

TEST(Batcher, ShufflesEachEpochIntoAPermutation) {
  const Dataset d = numbered(50);
  Batcher batcher(d, 8, true, 7);
  std::vector<std::vector<std::int64_t>> orders;
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    batcher.start_epoch(epoch);
    std::vector<std::int64_t> seen;
    for (const auto& batch : epoch_batches(batcher, d))
      seen.insert(seen.end(), batch.begin(), batch.end());
    ASSERT_EQ(seen.size(), 50u);
    std::vector<std::int64_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int64_t> all(50);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(sorted, all);
    orders.push_back(seen);
  }
  EXPECT_NE(orders[0], orders[1]);
  EXPECT_NE(orders[1], orders[2]);
  EXPECT_FALSE(std::is_sorted(orders[0].begin(), orders[0].end()));
}

TEST(Batcher, OrderIsAPureFunctionOfSeedAndEpoch) {
  const Dataset d = numbered(40);
  Batcher first(d, 5, true, 123);
  first.start_epoch(4);
  const std::vector<std::int64_t> epoch4 = first.order();
  // Another batcher that visits other epochs first, and goes straight to epoch 4 mid-way.
  Batcher second(d, 16, true, 123);
  std::vector<std::int32_t> labels;
  Tensor images;
  second.next(images, labels);
  second.start_epoch(9);
  second.start_epoch(4);
  EXPECT_EQ(second.order(), epoch4);
  Batcher other_seed(d, 5, true, 124);
  other_seed.start_epoch(4);
  EXPECT_NE(other_seed.order(), epoch4);
}

TEST(Batcher, OrderIsTheSameOnEveryPlatform) {
  // Pinned: a checkpoint resumed by another build or machine must see the same batches.
  const Dataset d = numbered(10);
  Batcher batcher(d, 4, true, 42);
  batcher.start_epoch(1);
  EXPECT_EQ(batcher.order(), (std::vector<std::int64_t>{5, 6, 3, 4, 7, 2, 9, 1, 8, 0}));
}

TEST(Batcher, HandlesAnEmptyDataset) {
  const Dataset d = numbered(0);
  Batcher batcher(d, 4, true, 1);
  EXPECT_EQ(batcher.batches_per_epoch(), 0);
  Tensor images;
  std::vector<std::int32_t> labels;
  EXPECT_FALSE(batcher.next(images, labels));
}

TEST(Batcher, RefusesBadArguments) {
  const Dataset d = numbered(3);
  EXPECT_THROW(Batcher(d, 0, false, 1), InvalidArgument);
  Batcher batcher(d, 2, false, 1);
  EXPECT_THROW(batcher.start_epoch(-1), InvalidArgument);
  Dataset broken = numbered(3);
  broken.labels.pop_back();
  EXPECT_THROW(Batcher(broken, 2, false, 1), ShapeError);
}

}  // namespace
}  // namespace strider::data
