// What one output position of a layer sees, traced back through the model to its input: the
// region of every layer's output it depends on, and how many paths reach each pixel. The windows
// come from geometry (each layer's resolved Window); nothing here recomputes where they land.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strider/model/resolve.hpp"

namespace strider::analysis {

// Inclusive range [first, last] of positions along one axis; empty when last < first.
struct Range {
  std::int64_t first = 0;
  std::int64_t last = -1;
  bool empty() const { return last < first; }
  std::int64_t size() const { return empty() ? 0 : last - first + 1; }
  bool operator==(const Range&) const = default;
};

// The positions one output depends on at one layer's output (or at the model input).
struct LayerRegion {
  std::size_t layer = 0;
  Range rows, cols;  // inside the layer's output; 1-D and non-spatial outputs have one row
  std::int64_t height = 1, width = 1;  // the layer's output extent
  // paths[(r - rows.first) * cols.size() + (c - cols.first)]: the number of distinct chains of
  // window taps from the traced output to position (r, c). Spatial paths only: channels are not
  // counted. A double, because a deep stack of 3x3 windows reaches 9^depth paths.
  std::vector<double> paths;

  double paths_at(std::int64_t r, std::int64_t c) const;
};

struct Trace {
  std::size_t layer = 0;             // the traced layer
  std::int64_t y = 0, x = 0;         // the traced output position
  std::vector<LayerRegion> regions;  // every layer the output depends on, input first
  const LayerRegion& input() const { return regions.front(); }
};

// Traces output position (y, x) of layer `layer` back to the model's input layers (the first
// region is the first input's). Layers with an output of rank 1 (after Flatten, Dense, global
// pooling) have one position, (0, 0); 1-D layers use y = 0 and x along the length.
// Throws InvalidArgument when (y, x) is outside the layer's output.
Trace trace_position(const model::ResolvedModel& model, std::size_t layer, std::int64_t y,
                     std::int64_t x);

}  // namespace strider::analysis
