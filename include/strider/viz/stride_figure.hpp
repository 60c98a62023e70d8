// The two stride figures `strider draw` writes, built as Scenes from a StridePicture:
//   animation: one frame per output position (row-major); the window's taps and the output cell
//              it writes are highlighted, the outputs written so far stay filled.
//   coverage:  one picture; each input pixel shows how many windows read it, and the pixels no
//              window reads stand out (between windows, or past the last window).
#pragma once

#include <cstdint>
#include <optional>

#include "strider/viz/grid.hpp"
#include "strider/viz/scene.hpp"
#include "strider/viz/stride_picture.hpp"

namespace strider::viz {

struct FigureOptions {
  std::int64_t frame_ms = 700;
  double cell = 0;  // pixels per cell; 0 picks one from the picture's size
};

// A scene and where its grids lie: `canvas` holds the picture's canvas cells (row, col as in
// StridePicture), `output` the output grid of an animation.
struct Figure {
  Scene scene;
  GridPlacement canvas;
  std::optional<GridPlacement> output;
};

// Throws InvalidArgument (check_animatable) for more than kMaxFrames output positions.
Figure draw_animation(const StridePicture& picture, const FigureOptions& options = {});
Figure draw_coverage(const StridePicture& picture, const FigureOptions& options = {});

}  // namespace strider::viz
