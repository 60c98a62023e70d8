// What `strider train`, `evaluate` and `predict` share: --threads, loading --data with its limits,
// and checking that a dataset fits a network.
#pragma once

#include <cstdint>
#include <string>

#include "strider/data/dataset.hpp"
#include "strider/train/network.hpp"

namespace strider::cli {

// Lets the allocator keep freed memory for the next training step instead of returning it to
// the system (glibc's mmap and trim thresholds).
void keep_freed_memory();

// Sets the OpenMP thread count: `threads`, or every core when 0. Returns the count. Throws
// InvalidArgument for threads < 0.
int set_threads(int threads);

// load_dataset(data) with the training and test sets cut to their first `limit_train` /
// `limit_test` examples (0: all). Throws InvalidArgument for a negative limit, and what
// data::load_dataset throws.
data::TrainTest load_data(const std::string& data, std::int64_t limit_train,
                          std::int64_t limit_test);

// The input shape to build the network for `data`: the images' (H, W, C). Throws ShapeError when
// the model fixes another input size.
Shape data_input_shape(const model::Architecture& architecture, const data::Dataset& data,
                       const std::string& data_name);

// Throws ShapeError unless the network's output is (classes,).
void check_classes(const train::Network& network, const data::Dataset& data,
                   const std::string& data_name);

// A loss or accuracy as the commands print it: "0.8912".
std::string fraction_text(double value);

}  // namespace strider::cli
