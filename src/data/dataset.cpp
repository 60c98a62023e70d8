// Datasets from IDX files and the deterministic batcher.
#include "strider/data/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <optional>

#include "kernels/parallel.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"

namespace strider::data {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMnistClasses = 10;

struct FileNames {
  std::string_view dashed;  // the names MNIST's own site uses
  std::string_view dotted;  // the names several mirrors use
};
constexpr FileNames kTrainImages = {"train-images-idx3-ubyte", "train-images.idx3-ubyte"};
constexpr FileNames kTrainLabels = {"train-labels-idx1-ubyte", "train-labels.idx1-ubyte"};
constexpr FileNames kTestImages = {"t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"};
constexpr FileNames kTestLabels = {"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"};

std::optional<fs::path> find_file(const fs::path& dir, const FileNames& names) {
  for (const std::string_view base : {names.dashed, names.dotted}) {
    for (const std::string_view suffix : {".gz", ""}) {
      fs::path path = dir / base;
      path += suffix;
      std::error_code ec;
      if (fs::is_regular_file(path, ec)) return path;
    }
  }
  return std::nullopt;
}

using MissingHandler = fs::path (*)(const fs::path& dir, const FileNames& names);

Dataset load_pair(const fs::path& dir, const FileNames& images, const FileNames& labels,
                  MissingHandler missing) {
  const std::optional<fs::path> images_path = find_file(dir, images);
  const fs::path images_file = images_path ? *images_path : missing(dir, images);
  const std::optional<fs::path> labels_path = find_file(dir, labels);
  const fs::path labels_file = labels_path ? *labels_path : missing(dir, labels);
  const io::IdxArray label_array = io::read_idx(labels_file);
  return make_dataset(io::read_idx(images_file), label_array, kMnistClasses, images_file.string(),
                      labels_file.string());
}

TrainTest load_four(const fs::path& dir, std::string name, MissingHandler missing) {
  TrainTest result;
  result.train = load_pair(dir, kTrainImages, kTrainLabels, missing);
  result.test = load_pair(dir, kTestImages, kTestLabels, missing);
  // make_dataset gives both rank 4.
  if (!std::equal(result.train.images.shape().begin() + 1, result.train.images.shape().end(),
                  result.test.images.shape().begin() + 1)) {
    throw FormatError(fmt::format("{}: training images are {} but test images are {}", name,
                                  format_shape(std::span(result.train.images.shape()).subspan(1)),
                                  format_shape(std::span(result.test.images.shape()).subspan(1))));
  }
  result.name = std::move(name);
  return result;
}

[[noreturn]] fs::path fashion_mnist_missing(const fs::path& dir, const FileNames& names) {
  fs::path path = dir / names.dashed;
  path += ".gz";
  throw IoError(
      fmt::format("fashion-mnist: '{}' not found; install Debian's package with `apt-get install "
                  "dataset-fashion-mnist` (scripts/install-deps.sh does)",
                  path.string()));
}

[[noreturn]] fs::path mnist_missing(const fs::path& dir, const FileNames& names) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw IoError(fmt::format("mnist: '{}' is not a directory", dir.string()));
  }
  throw IoError(fmt::format("mnist: no {}[.gz] (or {}[.gz]) in '{}'", names.dashed, names.dotted,
                            dir.string()));
}

// splitmix64's finaliser: spreads (seed, epoch) over all 64 bits, so that nearby seeds and epochs
// give unrelated permutations.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

Dataset make_dataset(const io::IdxArray& images, const io::IdxArray& labels, std::int64_t classes,
                     std::string_view images_name, std::string_view labels_name) {
  if (images.shape.size() != 3 && images.shape.size() != 4) {
    throw FormatError(fmt::format("{}: images must be [N, H, W] or [N, H, W, C], got {}",
                                  images_name, format_shape(images.shape)));
  }
  if (labels.shape.size() != 1) {
    throw FormatError(
        fmt::format("{}: labels must be [N], got {}", labels_name, format_shape(labels.shape)));
  }
  if (static_cast<std::int64_t>(images.u8.size()) != shape_size(images.shape) ||
      static_cast<std::int64_t>(labels.u8.size()) != labels.shape[0]) {
    throw FormatError(fmt::format("{}: the data does not match the shapes {} and {}", images_name,
                                  format_shape(images.shape), format_shape(labels.shape)));
  }
  if (images.shape[0] != labels.shape[0]) {
    throw FormatError(fmt::format("{}: {} images but {} labels in {}", images_name, images.shape[0],
                                  labels.shape[0], labels_name));
  }
  Dataset dataset;
  dataset.classes = classes;
  dataset.labels.resize(labels.u8.size());
  for (std::size_t i = 0; i < labels.u8.size(); ++i) {
    if (labels.u8[i] >= classes) {
      throw FormatError(fmt::format("{}: label {} at index {} is out of range [0, {})", labels_name,
                                    labels.u8[i], i, classes));
    }
    dataset.labels[i] = labels.u8[i];
  }
  Shape shape = images.shape;
  if (shape.size() == 3) shape.push_back(1);
  dataset.images = Tensor::uninitialized(shape);
  std::array<float, 256> scale{};
  for (std::size_t v = 0; v < scale.size(); ++v) scale[v] = static_cast<float>(v) / 255.0f;
  float* out = dataset.images.data();
  for (const std::uint8_t v : images.u8) *out++ = scale[v];
  return dataset;
}

TrainTest load_fashion_mnist(const fs::path& dir) {
  return load_four(dir, "fashion-mnist", fashion_mnist_missing);
}

TrainTest load_mnist_dir(const fs::path& dir) {
  std::string name = "mnist:";
  name += dir.string();
  return load_four(dir, std::move(name), mnist_missing);
}

TrainTest load_dataset(std::string_view name_or_dir) {
  if (name_or_dir == "fashion-mnist" || name_or_dir == "fashion_mnist") {
    return load_fashion_mnist();
  }
  if (name_or_dir.starts_with("mnist:") && name_or_dir.size() > 6) {
    return load_mnist_dir(fs::path(name_or_dir.substr(6)));
  }
  std::error_code ec;
  if (!name_or_dir.empty() && fs::is_directory(fs::path(name_or_dir), ec)) {
    return load_mnist_dir(fs::path(name_or_dir));
  }
  throw InvalidArgument(
      fmt::format("dataset '{}': expected fashion-mnist, mnist:DIR or a directory holding the four "
                  "MNIST IDX files",
                  name_or_dir));
}

Dataset take(const Dataset& dataset, std::int64_t count) {
  if (count < 0) throw InvalidArgument(fmt::format("take: count must be >= 0, got {}", count));
  const auto n = std::min<std::int64_t>(count, static_cast<std::int64_t>(dataset.labels.size()));
  Shape shape = dataset.images.shape();
  if (shape.empty() || shape[0] != static_cast<std::int64_t>(dataset.labels.size())) {
    throw ShapeError(fmt::format("take: images {} do not match {} labels", format_shape(shape),
                                 dataset.labels.size()));
  }
  const std::int64_t per_example = shape[0] == 0 ? 0 : dataset.images.size() / shape[0];
  shape[0] = n;
  Dataset out;
  out.classes = dataset.classes;
  out.labels.assign(dataset.labels.begin(), dataset.labels.begin() + n);
  out.images =
      Tensor(shape, dataset.images.values().first(static_cast<std::size_t>(n * per_example)));
  return out;
}

Batcher::Batcher(const Dataset& dataset, std::int64_t batch, bool shuffle, std::uint64_t seed)
    : dataset_(&dataset), batch_(batch), shuffle_(shuffle), seed_(seed) {
  if (batch < 1) throw InvalidArgument(fmt::format("batcher: batch must be >= 1, got {}", batch));
  const Shape& shape = dataset.images.shape();
  if (shape.empty() || shape[0] != static_cast<std::int64_t>(dataset.labels.size())) {
    throw ShapeError(fmt::format("batcher: images {} do not match {} labels", format_shape(shape),
                                 dataset.labels.size()));
  }
  example_size_ = shape[0] == 0 ? 0 : dataset.images.size() / shape[0];
  order_.resize(dataset.labels.size());
  start_epoch(0);
}

void Batcher::start_epoch(std::int64_t epoch) {
  if (epoch < 0) throw InvalidArgument(fmt::format("batcher: epoch must be >= 0, got {}", epoch));
  epoch_ = epoch;
  position_ = 0;
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  if (!shuffle_) return;
  // Fisher-Yates with Rng's platform-independent uniform values.
  Rng rng(mix(seed_ ^ mix(static_cast<std::uint64_t>(epoch))));
  for (std::size_t i = order_.size(); i > 1; --i) {
    const auto j =
        std::min(static_cast<std::size_t>(rng.uniform() * static_cast<double>(i)), i - 1);
    std::swap(order_[i - 1], order_[j]);
  }
}

bool Batcher::next(Tensor& images, std::vector<std::int32_t>& labels) {
  const auto n = static_cast<std::int64_t>(order_.size());
  if (position_ >= n) return false;
  const std::int64_t count = std::min(batch_, n - position_);
  Shape shape = dataset_->images.shape();
  shape[0] = count;
  if (images.shape() != shape) images = Tensor::uninitialized(shape);
  labels.resize(static_cast<std::size_t>(count));
  const float* source = dataset_->images.data();
  float* target = images.data();
  const auto example_size = static_cast<std::size_t>(example_size_);
  // The examples are copied on the library's threads: one thread's copies of 64 scattered
  // Fashion-MNIST images, each a wait on memory, were 1% of a training step with the other core
  // idle.
  const std::int64_t* order = order_.data() + position_;
  kernels::parallel_for(count, count * example_size_ >= (std::int64_t{1} << 15),
                        [&](std::int64_t k) {
                          std::memcpy(target + static_cast<std::size_t>(k) * example_size,
                                      source + static_cast<std::size_t>(order[k]) * example_size,
                                      example_size * sizeof(float));
                        });
  for (std::int64_t k = 0; k < count; ++k) {
    labels[static_cast<std::size_t>(k)] = dataset_->labels[static_cast<std::size_t>(order[k])];
  }
  position_ += count;
  return true;
}

std::int64_t Batcher::batches_per_epoch() const {
  return (static_cast<std::int64_t>(order_.size()) + batch_ - 1) / batch_;
}

}  // namespace strider::data
