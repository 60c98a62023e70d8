#include "strider/ops/conv2d_transpose.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {
namespace {

Tensor random(Shape shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  Rng(seed).fill_uniform(t.values(), -1, 1);
  return t;
}

double dot(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) s += double(a.data()[i]) * double(b.data()[i]);
  return s;
}

// The transposed convolution is the adjoint of conv2d over the same windows:
// <conv2d(y, w), x> == <y, conv2d_transpose(x, w)> with w read as [kh, kw, out, in] for the
// transpose and as HWIO [kh, kw, in=out_t, out=in_t] for conv2d.
TEST(Conv2DTranspose, IsTheAdjointOfConv2D) {
  int checked = 0;
  for (std::int64_t s = 1; s <= 3; ++s) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t d = 1; d <= 2; ++d) {
        for (const Padding2D& pad :
             {Padding2D::valid(), Padding2D::same(), Padding2D::explicit_pads(1, 0, 2, 1)}) {
          for (std::int64_t n_in : {3, 4}) {
            Conv2DTransposeOptions t;
            t.params = {{s, s + 1}, {d, 1}, pad, std::nullopt, std::nullopt};
            const Tensor w = random({k, k, 3, 2}, 7);  // [kh, kw, Cout=3, Cin=2]
            const Tensor x = random({2, n_in, n_in + 1, 2}, 8);
            Tensor y;
            try {
              y = conv2d_transpose(x, w, nullptr, t);
            } catch (const ShapeError&) {
              continue;  // no output size maps back to this input under VALID/explicit
            }
            Conv2DOptions c;
            c.params = {{s, s + 1}, {d, 1}, pad, 1};
            const Tensor z = random(y.shape(), 9);
            const Tensor cz = conv2d(z, w, nullptr, c);  // HWIO [k, k, 3, 2]
            ASSERT_EQ(cz.shape(), x.shape());
            EXPECT_NEAR(dot(cz, x), dot(z, y), 1e-4 * (1 + std::abs(dot(z, y))))
                << "s=" << s << " k=" << k << " d=" << d << " pad=" << pad.to_string();
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(Conv2DTranspose, ScattersByHand) {
  // One input pixel of value 2, a 2x2 filter 1..4, stride 2, VALID: output 2x2 = 2 * filter.
  Tensor x({1, 1, 1, 1});
  x.at(0, 0, 0, 0) = 2.0f;
  const float wv[] = {1, 2, 3, 4};
  const Tensor w(Shape{2, 2, 1, 1}, wv);
  Conv2DTransposeOptions o;
  o.params.strides = {2, 2};
  const Tensor y = conv2d_transpose(x, w, nullptr, o);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(y.at(0, 1, 0, 0), 6.0f);
  const float bv[] = {-7.0f};
  const Tensor b(Shape{1}, bv);
  o.activation = Activation::kRelu;
  EXPECT_EQ(conv2d_transpose(x, w, &b, o).at(0, 1, 1, 0), 1.0f);
  const Tensor wrong(Shape{2});
  EXPECT_THROW(conv2d_transpose(x, w, &wrong, o), ShapeError);
}

}  // namespace
}  // namespace strider
