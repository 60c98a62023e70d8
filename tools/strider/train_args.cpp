// The helpers `strider train`, `evaluate` and `predict` share (see train_args.hpp).
#include "train_args.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <omp.h>

#include "strider/core/error.hpp"

namespace strider::cli {

void keep_freed_memory() {
  // Training frees and allocates the same activation-sized blocks every step. glibc returns
  // blocks above its mmap threshold to the system on free, so each step paid page faults and
  // the kernel's zeroing again (about 4% of an epoch of the default Fashion-MNIST CNN, perf).
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int set_threads(int threads) {
  if (threads < 0) throw InvalidArgument(fmt::format("--threads: must be >= 0, got {}", threads));
  const int t = threads > 0 ? threads : omp_get_num_procs();
  omp_set_num_threads(t);
  return t;
}

data::TrainTest load_data(const std::string& data, std::int64_t limit_train,
                          std::int64_t limit_test) {
  if (limit_train < 0) {
    throw InvalidArgument(fmt::format("--limit-train: must be >= 0, got {}", limit_train));
  }
  if (limit_test < 0) {
    throw InvalidArgument(fmt::format("--limit-test: must be >= 0, got {}", limit_test));
  }
  data::TrainTest t = data::load_dataset(data);
  if (limit_train > 0) t.train = data::take(t.train, limit_train);
  if (limit_test > 0) t.test = data::take(t.test, limit_test);
  return t;
}

Shape data_input_shape(const model::Architecture& architecture, const data::Dataset& data,
                       const std::string& data_name) {
  const Shape& images = data.images.shape();
  const Shape shape(images.begin() + 1, images.end());
  const Shape& declared = architecture.layers.front().input_shape;
  bool fits = declared.empty() || declared.size() == shape.size();
  for (std::size_t i = 0; fits && i < declared.size(); ++i) {
    fits = declared[i] == 0 || declared[i] == shape[i];
  }
  if (!fits) {
    throw ShapeError(fmt::format("--data: the images of {} are {}, but model '{}' takes {}",
                                 data_name, format_shape(shape), architecture.name,
                                 format_shape(declared)));
  }
  return shape;
}

void check_classes(const train::Network& network, const data::Dataset& data,
                   const std::string& data_name) {
  if (network.output_shape() != Shape{data.classes}) {
    throw ShapeError(fmt::format(
        "--data: {} has {} classes, but model '{}' outputs {}; end the model in dense({})",
        data_name, data.classes, network.resolved().architecture.name,
        format_shape(network.output_shape()), data.classes));
  }
}

std::string fraction_text(double value) { return fmt::format("{:.4f}", value); }

}  // namespace strider::cli
