// Geometry of a transposed 2-D convolution (tf.nn.conv2d_transpose, Keras Conv2DTranspose). It is
// the forward convolution's windows read the other way: each Window here is the forward window
// over the transposed OUTPUT, so window.input_size() is the output extent and
// window.output_size() the input extent, and input position i scatters to output positions
// window.tap(i, j). Nothing here re-derives padding: the forward Window does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "strider/geometry/conv2d_geometry.hpp"

namespace strider {

struct Conv2DTransposeParams {
  Pair2D strides{1, 1};
  Pair2D dilation{1, 1};
  Padding2D padding = Padding2D::valid();
  // Keras's output_padding: extra rows/columns at the bottom/right, each < the stride.
  std::optional<Pair2D> output_padding;
  // tf.nn.conv2d_transpose's output_shape (height, width); must be consistent with the input.
  std::optional<Pair2D> output_size;
};

struct Conv2DTransposeGeometry {
  std::int64_t batch = 0;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  Window height;  // forward window over the output height; output_size() == input height
  Window width;

  // input NHWC [N, H, W, Cin]; filter [kh, kw, Cout, Cin] (tf.nn.conv2d_transpose's layout).
  // Output size per axis: the explicit output_size if given, else Keras's rule
  //   VALID: in * stride + max(effective - stride, 0)        SAME: in * stride
  //   with output_padding p: VALID (in - 1) * stride + effective + p,
  //                          SAME  (in - 1) * stride + effective - 2 * (effective / 2) + p
  //   explicit padding (T,B,L,R): the smallest consistent size (+ output_padding).
  // Throws InvalidArgument for output_padding < 0 or >= stride (as Keras checks), ShapeError when
  // the channels disagree or the output size is inconsistent with input, stride and padding (the
  // message lists the consistent sizes).
  static Conv2DTransposeGeometry make(std::span<const std::int64_t> input_shape,
                                      std::span<const std::int64_t> filter_shape,
                                      const Conv2DTransposeParams& params,
                                      std::string_view op = "conv2d_transpose");

  Shape input_shape() const;
  Shape filter_shape() const;  // [kh, kw, Cout, Cin]
  Shape output_shape() const;
  std::int64_t params(bool use_bias) const;
  // batch * in_h * in_w * Cin * kh * kw * Cout: every input value meets every tap once.
  std::int64_t macs() const;
};

}  // namespace strider
