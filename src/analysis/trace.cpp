#include "strider/analysis/trace.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"

namespace strider::analysis {
namespace {

using model::LayerKind;

struct Extent {
  std::int64_t height = 1, width = 1;
};

// The spatial extent of an output: (H, W, C) -> H x W, (L, C) -> 1 x L, (units) -> 1 x 1.
Extent extent_of(const Shape& shape) {
  if (shape.size() == 3) return {shape[0], shape[1]};
  if (shape.size() == 2) return {1, shape[0]};
  return {};
}

// A dense map of path counts over one layer's output.
struct Map {
  Extent extent;
  std::vector<double> counts;
  double& at(std::int64_t r, std::int64_t c) {
    return counts[static_cast<std::size_t>(r * extent.width + c)];
  }
  double at(std::int64_t r, std::int64_t c) const {
    return counts[static_cast<std::size_t>(r * extent.width + c)];
  }
};

// For each position of one axis of a layer's output, the positions of its input it reads (with
// multiplicity), from the layer's window.
std::vector<std::vector<std::int64_t>> forward_reads(const Window& w) {
  std::vector<std::vector<std::int64_t>> reads(static_cast<std::size_t>(w.output_size()));
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    const TapRange taps = w.valid_taps(o);
    for (std::int64_t j = taps.begin; j < taps.end; ++j) {
      reads[static_cast<std::size_t>(o)].push_back(w.tap(o, j));
    }
  }
  return reads;
}

// The same for a transposed convolution, whose forward window runs from its output (the window's
// input) to its input (the window's output): output position o receives from every input i that
// has a tap on o.
std::vector<std::vector<std::int64_t>> transposed_reads(const Window& w) {
  std::vector<std::vector<std::int64_t>> reads(static_cast<std::size_t>(w.input_size()));
  for (std::int64_t i = 0; i < w.output_size(); ++i) {
    const TapRange taps = w.valid_taps(i);
    for (std::int64_t j = taps.begin; j < taps.end; ++j) {
      reads[static_cast<std::size_t>(w.tap(i, j))].push_back(i);
    }
  }
  return reads;
}

// Index lists for a shift (padding, cropping) or a nearest-neighbour upsampling of one axis.
std::vector<std::vector<std::int64_t>> mapped_reads(std::int64_t out, std::int64_t in,
                                                    std::int64_t shift, std::int64_t divide) {
  std::vector<std::vector<std::int64_t>> reads(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    const std::int64_t i = (o + shift) / divide;
    if (o + shift >= 0 && i < in) reads[static_cast<std::size_t>(o)].push_back(i);
  }
  return reads;
}

void spread(const Map& out, Map& in, const std::vector<std::vector<std::int64_t>>& rows,
            const std::vector<std::vector<std::int64_t>>& cols) {
  for (std::int64_t r = 0; r < out.extent.height; ++r) {
    for (std::int64_t c = 0; c < out.extent.width; ++c) {
      const double n = out.at(r, c);
      if (n == 0) continue;
      for (const std::int64_t ir : rows[static_cast<std::size_t>(r)]) {
        for (const std::int64_t ic : cols[static_cast<std::size_t>(c)]) in.at(ir, ic) += n;
      }
    }
  }
}

LayerRegion region_of(std::size_t layer, const Map& map) {
  LayerRegion region;
  region.layer = layer;
  region.height = map.extent.height;
  region.width = map.extent.width;
  region.rows = {map.extent.height, -1};
  region.cols = {map.extent.width, -1};
  for (std::int64_t r = 0; r < map.extent.height; ++r) {
    for (std::int64_t c = 0; c < map.extent.width; ++c) {
      if (map.at(r, c) == 0) continue;
      region.rows.first = std::min(region.rows.first, r);
      region.rows.last = std::max(region.rows.last, r);
      region.cols.first = std::min(region.cols.first, c);
      region.cols.last = std::max(region.cols.last, c);
    }
  }
  if (region.rows.empty()) region.rows = region.cols = Range{};
  for (std::int64_t r = region.rows.first; r <= region.rows.last; ++r) {
    for (std::int64_t c = region.cols.first; c <= region.cols.last; ++c) {
      region.paths.push_back(map.at(r, c));
    }
  }
  return region;
}

}  // namespace

double LayerRegion::paths_at(std::int64_t r, std::int64_t c) const {
  if (r < rows.first || r > rows.last || c < cols.first || c > cols.last) return 0;
  return paths[static_cast<std::size_t>((r - rows.first) * cols.size() + (c - cols.first))];
}

Trace trace_position(const model::ResolvedModel& model, std::size_t layer, std::int64_t y,
                     std::int64_t x) {
  const auto& specs = model.architecture.layers;
  const Extent target = extent_of(model.layers.at(layer).output_shape);
  if (y < 0 || y >= target.height || x < 0 || x >= target.width) {
    throw InvalidArgument(fmt::format(
        "trace_position: position ({}, {}) is outside the output of layer '{}', which has {} x {} "
        "positions (y in 0..{}, x in 0..{})",
        y, x, specs[layer].name, target.height, target.width, target.height - 1, target.width - 1));
  }
  std::vector<std::optional<Map>> maps(specs.size());
  const auto map_for = [&](std::size_t i) -> Map& {
    if (!maps[i]) {
      const Extent e = extent_of(model.layers[i].output_shape);
      maps[i] = Map{e, std::vector<double>(static_cast<std::size_t>(e.height * e.width), 0.0)};
    }
    return *maps[i];
  };
  map_for(layer).at(y, x) = 1;

  for (std::size_t i = layer + 1; i-- > 0;) {
    if (!maps[i]) continue;
    const model::LayerSpec& spec = specs[i];
    const model::ResolvedLayer& resolved = model.layers[i];
    const Map& out = *maps[i];
    // Concatenation along a spatial axis places each input after the ones before it.
    std::int64_t concat_axis = -1, offset = 0;
    if (spec.kind == LayerKind::kConcatenate) {
      const auto rank = static_cast<std::int64_t>(resolved.output_shape.size());
      const std::int64_t axis = spec.axis < 0 ? rank + spec.axis : spec.axis - 1;
      if (axis < rank - 1) concat_axis = rank == 3 ? axis : 1;
    }
    for (const std::size_t input : resolved.inputs) {
      Map& in = map_for(input);
      const Extent ie = in.extent, oe = out.extent;
      if (spec.kind == LayerKind::kConv2DTranspose) {
        spread(out, in, transposed_reads(*resolved.height), transposed_reads(*resolved.width));
      } else if (resolved.height && resolved.width) {
        spread(out, in, forward_reads(*resolved.height), forward_reads(*resolved.width));
      } else if (spec.kind == LayerKind::kZeroPadding2D) {
        spread(out, in, mapped_reads(oe.height, ie.height, -spec.padding.top, 1),
               mapped_reads(oe.width, ie.width, -spec.padding.left, 1));
      } else if (spec.kind == LayerKind::kCropping2D) {
        spread(out, in, mapped_reads(oe.height, ie.height, spec.padding.top, 1),
               mapped_reads(oe.width, ie.width, spec.padding.left, 1));
      } else if (spec.kind == LayerKind::kUpSampling2D) {
        spread(out, in, mapped_reads(oe.height, ie.height, 0, spec.size.h),
               mapped_reads(oe.width, ie.width, 0, spec.size.w));
      } else if (oe.height * oe.width == 1 && ie.height * ie.width > 1) {
        // Global pooling, Flatten: the one output reads every input position.
        for (double& n : in.counts) n += out.at(0, 0);
      } else if (concat_axis == 0) {
        spread(out, in, mapped_reads(oe.height, ie.height, -offset, 1),
               mapped_reads(oe.width, ie.width, 0, 1));
        offset += ie.height;
      } else if (concat_axis == 1) {
        spread(out, in, mapped_reads(oe.height, ie.height, 0, 1),
               mapped_reads(oe.width, ie.width, -offset, 1));
        offset += ie.width;
      } else {
        spread(out, in, mapped_reads(oe.height, ie.height, 0, 1),
               mapped_reads(oe.width, ie.width, 0, 1));
      }
    }
  }

  Trace trace;
  trace.layer = layer;
  trace.y = y;
  trace.x = x;
  for (std::size_t i = 0; i <= layer; ++i) {
    if (maps[i]) trace.regions.push_back(region_of(i, *maps[i]));
  }
  return trace;
}

}  // namespace strider::analysis
