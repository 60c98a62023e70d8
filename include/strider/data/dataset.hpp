// Image classification datasets for training: MNIST-style IDX files (Fashion-MNIST from Debian's
// dataset-fashion-mnist package, or MNIST from a directory) as float tensors, and a batcher whose
// shuffled order is a pure function of its seed and the epoch, so that a resumed run sees the same
// batches as an uninterrupted one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/io/idx.hpp"

namespace strider::data {

struct Dataset {
  Tensor images;                     // [N, H, W, C] float32 in [0, 1] (the bytes divided by 255)
  std::vector<std::int32_t> labels;  // N labels in [0, classes)
  std::int64_t classes = 0;
};

struct TrainTest {
  Dataset train, test;
  std::string name;  // "fashion-mnist", or "mnist:<dir>"
};

// Where Debian's dataset-fashion-mnist package puts the four files.
inline constexpr std::string_view kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// A Dataset from an images IDX array ([N, H, W] or [N, H, W, C] unsigned bytes) and a labels
// array ([N]); `images_name` and `labels_name` (usually the paths) start the error messages.
// Throws FormatError for another rank, image and label counts that differ ("... 60000 images but
// 59999 labels"), or a label >= classes ("... label 12 at index 7 is out of range [0, 10)").
Dataset make_dataset(const io::IdxArray& images, const io::IdxArray& labels, std::int64_t classes,
                     std::string_view images_name, std::string_view labels_name);

// Fashion-MNIST (10 classes, 60000 training and 10000 test images of 28x28x1) from `dir`.
// Throws IoError naming the missing file and saying `apt-get install dataset-fashion-mnist` when
// the files are absent, FormatError when they are malformed.
TrainTest load_fashion_mnist(const std::filesystem::path& dir = kFashionMnistDir);

// The four MNIST files in `dir`, each plain or gzip-compressed (found as `train-images-idx3-ubyte`
// or `train-images.idx3-ubyte`, with or without `.gz`; likewise train-labels-idx1,
// t10k-images-idx3, t10k-labels-idx1); 10 classes. Throws IoError naming the directory and the
// missing file, FormatError as make_dataset and io::parse_idx.
TrainTest load_mnist_dir(const std::filesystem::path& dir);

// "fashion-mnist" (load_fashion_mnist), "mnist:DIR" or a directory (load_mnist_dir). Throws
// InvalidArgument for anything else, listing the accepted forms; otherwise as those functions.
TrainTest load_dataset(std::string_view name_or_dir);

// The first `count` examples (all of them when `count` exceeds the size), for quick runs.
// Throws InvalidArgument when count < 0.
Dataset take(const Dataset& dataset, std::int64_t count);

// Walks a dataset in batches of `batch` examples, the last batch of an epoch holding what remains.
// With `shuffle`, each epoch's order is a permutation drawn from (seed, epoch) alone: the same on
// every run and platform, whatever epochs came before. The dataset must outlive the batcher.
class Batcher {
 public:
  // Starts epoch 0. Throws InvalidArgument when batch < 1, ShapeError when the dataset's images
  // are not [N, ...] with N equal to the number of labels.
  Batcher(const Dataset& dataset, std::int64_t batch, bool shuffle, std::uint64_t seed);

  // Rewinds to the start of `epoch` (any epoch, in any order). Throws InvalidArgument if < 0.
  void start_epoch(std::int64_t epoch);

  // The next batch of the epoch into `images` ([b, H, W, C], reusing its storage when the shape
  // is unchanged) and `labels` (b values); false, leaving both untouched, once the epoch is done.
  bool next(Tensor& images, std::vector<std::int32_t>& labels);

  std::int64_t batches_per_epoch() const;
  std::int64_t size() const { return static_cast<std::int64_t>(order_.size()); }
  std::int64_t batch() const { return batch_; }
  std::int64_t epoch() const { return epoch_; }
  // The examples' indices in this epoch's order.
  const std::vector<std::int64_t>& order() const { return order_; }

 private:
  const Dataset* dataset_;
  std::int64_t batch_;
  bool shuffle_;
  std::uint64_t seed_;
  std::int64_t epoch_ = 0;
  std::int64_t position_ = 0;
  std::int64_t example_size_ = 0;  // floats per example
  std::vector<std::int64_t> order_;
};

}  // namespace strider::data
