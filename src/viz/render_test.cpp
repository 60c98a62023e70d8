// The writers: the GIF and PNG decode (with giflib and libpng) to exactly the raster frames, the
// frame strip tiles the frames, the SVG escapes text and defines what it uses.
#include "strider/viz/render.hpp"

#include <gif_lib.h>
#include <gtest/gtest.h>
#include <png.h>

#include <cstring>
#include <string>

#include "strider/core/error.hpp"
#include "strider/viz/stride_figure.hpp"

namespace strider::viz {
namespace {

struct Reader {
  const std::vector<std::byte>* bytes;
  std::size_t at = 0;
};

int read_bytes(GifFileType* gif, GifByteType* into, int length) {
  auto* r = static_cast<Reader*>(gif->UserData);
  const std::size_t n = std::min(static_cast<std::size_t>(length), r->bytes->size() - r->at);
  std::memcpy(into, r->bytes->data() + r->at, n);
  r->at += n;
  return static_cast<int>(n);
}

// Every frame of a GIF composed as a viewer shows it (each image drawn over the previous frame,
// as DISPOSE_DO_NOT asks).
std::vector<Image> decode_gif(const std::vector<std::byte>& bytes) {
  Reader reader{&bytes};
  int error = 0;
  GifFileType* gif = DGifOpen(&reader, read_bytes, &error);
  EXPECT_NE(gif, nullptr) << GifErrorString(error);
  if (gif == nullptr) return {};
  EXPECT_EQ(DGifSlurp(gif), GIF_OK) << GifErrorString(gif->Error);
  std::vector<Image> frames;
  Image canvas(gif->SWidth, gif->SHeight, Color{});
  const ColorMapObject* map = gif->SColorMap;
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& image = gif->SavedImages[i];
    const GifImageDesc& d = image.ImageDesc;
    for (int y = 0; y < d.Height; ++y) {
      for (int x = 0; x < d.Width; ++x) {
        const GifColorType c = map->Colors[image.RasterBits[y * d.Width + x]];
        canvas.set(d.Left + x, d.Top + y, Color{c.Red, c.Green, c.Blue});
      }
    }
    frames.push_back(canvas);
  }
  DGifCloseFile(gif, &error);
  return frames;
}

Image decode_png(const std::vector<std::byte>& bytes) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  EXPECT_NE(png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()), 0) << png.message;
  png.format = PNG_FORMAT_RGB;
  Image image(png.width, png.height, Color{});
  EXPECT_NE(png_image_finish_read(&png, nullptr, image.rgb.data(), 0, nullptr), 0) << png.message;
  return image;
}

Figure example() {
  Conv2DParams params;
  params.strides = {2, 2};
  params.padding = Padding2D::same();
  return draw_animation(
      StridePicture::of(Conv2DGeometry::make(Shape{1, 5, 4, 1}, Shape{3, 3, 1, 1}, params)));
}

TEST(Gif, DecodesToEveryRasterFrameAndLoops) {
  const Figure f = example();
  const std::vector<std::byte> bytes = encode_gif(f.scene);
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_EQ(text.rfind("GIF89a", 0), 0u);
  EXPECT_NE(text.find("NETSCAPE2.0"), std::string::npos);
  const std::vector<Image> frames = decode_gif(bytes);
  ASSERT_EQ(static_cast<std::int64_t>(frames.size()), f.scene.frames);
  for (std::int64_t i = 0; i < f.scene.frames; ++i) {
    const Image want = rasterize(f.scene, i);
    ASSERT_EQ(frames[static_cast<std::size_t>(i)].width, want.width);
    ASSERT_EQ(frames[static_cast<std::size_t>(i)].rgb, want.rgb) << "frame " << i;
  }
}

TEST(Gif, MoreThan256ColoursFallBackToAColourCube) {
  Scene scene;
  scene.width = 300;
  scene.height = 4;
  for (int i = 0; i < 300; ++i) {
    Box b;
    b.x = i;
    b.w = 1;
    b.h = 4;
    b.fill = Color{static_cast<std::uint8_t>(i % 256), static_cast<std::uint8_t>(i / 2), 7};
    scene.add(b);
  }
  const std::vector<Image> frames = decode_gif(encode_gif(scene));
  ASSERT_EQ(frames.size(), 1u);
  const Image want = rasterize(scene, 0);
  for (std::int64_t x = 0; x < 300; ++x) {
    const Color a = frames[0].at(x, 2), b = want.at(x, 2);
    EXPECT_LE(std::abs(a.r - b.r), 26) << x;
    EXPECT_LE(std::abs(a.g - b.g), 21) << x;
    EXPECT_LE(std::abs(a.b - b.b), 26) << x;
  }
}

TEST(Png, DecodesToTheImage) {
  const Image image = rasterize(example().scene, 3);
  const Image back = decode_png(encode_png(image));
  EXPECT_EQ(back.width, image.width);
  EXPECT_EQ(back.height, image.height);
  EXPECT_EQ(back.rgb, image.rgb);
}

TEST(FrameStrip, TilesEveryFrameInRowsOfColumns) {
  const Figure f = example();  // output 3x2: six frames
  const Image strip = frame_strip(f.scene, 2, 5);
  const auto w = static_cast<std::int64_t>(f.scene.width);
  const auto h = static_cast<std::int64_t>(f.scene.height);
  ASSERT_EQ(strip.width, 2 * w + 5);
  ASSERT_EQ(strip.height, 3 * h + 2 * 5);
  for (std::int64_t frame = 0; frame < 6; ++frame) {
    const Image tile = rasterize(f.scene, frame);
    const std::int64_t ox = (frame % 2) * (w + 5), oy = (frame / 2) * (h + 5);
    for (std::int64_t y = 0; y < h; y += 3) {
      for (std::int64_t x = 0; x < w; x += 3) {
        ASSERT_EQ(strip.at(ox + x, oy + y), tile.at(x, y)) << frame << " " << x << "," << y;
      }
    }
  }
  EXPECT_EQ(strip.at(w + 2, 0), (Color{200, 200, 200}));  // the gap
  EXPECT_THROW(frame_strip(f.scene, 0), InvalidArgument);
}

TEST(Raster, DrawsTextWithThePixelFontAndStrokesInsideBoxes) {
  Scene scene;
  scene.width = 60;
  scene.height = 20;
  scene.add(Label{2, 10, "A?", 7, Color{0, 0, 0}, Anchor::kStart, {}});
  Box b;
  b.x = 40;
  b.y = 2;
  b.w = b.h = 10;
  b.fill = Color{0, 255, 0};
  b.stroke = Color{255, 0, 0};
  b.stroke_width = 2;
  scene.add(b);
  const Image image = rasterize(scene, 0);
  // 'A' row 0 is ".###.": its top row starts at y = 10 - 3.5, rounded.
  const std::int64_t top = 7;
  EXPECT_EQ(image.at(2, top), (Color{255, 255, 255}));
  EXPECT_EQ(image.at(3, top), (Color{0, 0, 0}));
  EXPECT_EQ(image.at(40, 2), (Color{255, 0, 0}));
  EXPECT_EQ(image.at(41, 3), (Color{255, 0, 0}));
  EXPECT_EQ(image.at(42, 4), (Color{0, 255, 0}));
  EXPECT_EQ(image.at(49, 11), (Color{255, 0, 0}));
  EXPECT_EQ(image.at(50, 12), (Color{255, 255, 255}));
  EXPECT_EQ(text_width("A?", 7), 12);
  EXPECT_EQ(text_width("A?", 14), 24);
}

TEST(Svg, EscapesTextDefinesEachHatchOnceAndAnimatesOnlyWhatChanges) {
  Scene scene;
  scene.width = 10;
  scene.height = 10;
  scene.title = "a < b & c";
  Box b;
  b.w = b.h = 4;
  b.fill = Color{1, 2, 3};
  b.hatch = Color{4, 5, 6};
  scene.add(b);
  scene.add(b);
  scene.add(Label{0, 0, "x<y>&\"", 7, Color{}, Anchor::kMiddle, {}});
  const std::string svg = to_svg(scene);
  EXPECT_NE(svg.find("<title>a &lt; b &amp; c</title>"), std::string::npos);
  EXPECT_NE(svg.find(">x&lt;y&gt;&amp;&quot;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("<pattern id=\"hatch-040506\""), svg.rfind("<pattern id=\"hatch-040506\""));
  EXPECT_NE(svg.find("fill=\"url(#hatch-040506)\""), std::string::npos);
  EXPECT_EQ(svg.find("<animate"), std::string::npos);  // one frame: nothing moves

  scene.frames = 4;
  scene.add(Label{0, 0, "late", 7, Color{}, Anchor::kStart, {2, 3}});
  const std::string animated = to_svg(scene);
  EXPECT_NE(animated.find("keyTimes=\"0;0.5\" values=\"hidden;visible\""), std::string::npos)
      << animated;
}

Line make_line(double x1, double y1, double x2, double y2, double width, Color c) {
  Line l;
  l.x1 = x1;
  l.y1 = y1;
  l.x2 = x2;
  l.y2 = y2;
  l.width = width;
  l.color = c;
  return l;
}

// The rows of column x painted `c`.
std::vector<std::int64_t> rows_of(const Image& image, std::int64_t x, Color c) {
  std::vector<std::int64_t> rows;
  for (std::int64_t y = 0; y < image.height; ++y) {
    if (image.at(x, y) == c) rows.push_back(y);
  }
  return rows;
}

TEST(Raster, DrawsLinesAsThickAsTheirWidthWithRoundEnds) {
  const Color red{255, 0, 0};
  Scene scene;
  scene.width = 40;
  scene.height = 40;
  scene.add(make_line(5.2, 10.5, 29.8, 10.5, 1, red));  // through pixel centres: one row
  scene.add(make_line(5, 20, 30, 20, 4, red));          // on a pixel edge: rows 18..21
  scene.add(make_line(35.5, 2, 35.5, 38, 3, red));      // vertical, 3 wide: columns 34..36
  const Image image = rasterize(scene, 0);
  EXPECT_EQ(rows_of(image, 10, red), (std::vector<std::int64_t>{10, 18, 19, 20, 21}));
  // A 1-wide line's round ends reach half a pixel past its ends.
  EXPECT_EQ(image.at(4, 10), (Color{255, 255, 255}));
  EXPECT_EQ(image.at(5, 10), red);
  EXPECT_EQ(image.at(29, 10), red);
  EXPECT_EQ(image.at(30, 10), (Color{255, 255, 255}));
  EXPECT_EQ(image.at(31, 20), red);  // a 4-wide line's round end reaches 2 pixels on
  EXPECT_EQ(image.at(32, 20), (Color{255, 255, 255}));
  for (std::int64_t x = 33; x <= 37; ++x) {
    EXPECT_EQ(image.at(x, 20), (x >= 34 && x <= 36 ? red : Color{255, 255, 255})) << x;
  }
  // A diagonal: every pixel on the way is inked, and none more than a pixel away from it.
  Scene diagonal;
  diagonal.width = diagonal.height = 20;
  diagonal.add(make_line(2, 2, 18, 18, 1, red));
  const Image d = rasterize(diagonal, 0);
  for (std::int64_t i = 2; i < 18; ++i) EXPECT_EQ(d.at(i, i), red) << i;
  EXPECT_EQ(d.at(5, 8), (Color{255, 255, 255}));
  EXPECT_EQ(d.at(8, 5), (Color{255, 255, 255}));
}

TEST(Raster, DrawsDashesAndGapsOfTheDashLength) {
  const Color blue{0, 0, 255};
  Scene scene;
  scene.width = 50;
  scene.height = 5;
  Line l = make_line(0.25, 2.5, 48, 2.5, 1, blue);
  l.dash = 6;
  scene.add(l);
  const Image image = rasterize(scene, 0);
  // Dashes cover x in [0.25, 6.25] + 12 k, and half a pixel more at each round end: pixel
  // centres from 12 k - 0.25 to 12 k + 6.75.
  for (std::int64_t x = 0; x < 48; ++x) {
    const bool ink = (x % 12) <= 6;
    EXPECT_EQ(image.at(x, 2) == blue, ink) << x;
  }
}

TEST(Raster, DrawsCirclesWithTheStrokeInside) {
  const Color fill{0, 128, 0}, ring{255, 255, 255}, bg{10, 10, 10};
  Scene scene;
  scene.width = scene.height = 20;
  scene.background = bg;
  Circle c;
  c.cx = 10;
  c.cy = 10;
  c.r = 5;
  c.fill = fill;
  c.stroke = ring;
  c.stroke_width = 1;
  scene.add(c);
  const Image image = rasterize(scene, 0);
  EXPECT_EQ(image.at(9, 9), fill);
  EXPECT_EQ(image.at(10, 10), fill);
  EXPECT_EQ(image.at(14, 10), ring);  // centre 4.5 from the centre: inside, in the stroke
  EXPECT_EQ(image.at(15, 10), bg);    // 5.5: outside
  EXPECT_EQ(image.at(13, 10), fill);
  EXPECT_EQ(image.at(13, 13), ring);  // (13.5, 13.5) is 4.95 from the centre
  EXPECT_EQ(image.at(14, 14), bg);    // 6.36
}

TEST(Svg, WritesLinesAndCirclesWithRolesAndTheirOwnColours) {
  Scene scene;
  scene.width = scene.height = 30;
  Line l = make_line(1, 2, 3, 4.5, 2, Color{1, 2, 3});
  l.role = "axis";
  scene.add(l);
  l.dash = 5;
  l.role.clear();
  scene.add(l);
  Circle c;
  c.cx = 10;
  c.cy = 11;
  c.r = 4;
  c.fill = Color{0, 0, 255};
  c.stroke = Color{255, 255, 255};
  c.stroke_width = 1;
  c.role = "marker";
  c.point = std::pair<std::int64_t, std::int64_t>{2, 7};
  scene.add(c);
  const std::string svg = to_svg(scene);
  EXPECT_NE(svg.find("<line class=\"axis\" x1=\"1\" y1=\"2\" x2=\"3\" y2=\"4.5\" "
                     "stroke=\"#010203\" stroke-width=\"2\" stroke-linecap=\"round\"/>"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<line x1=\"1\" y1=\"2\" x2=\"3\" y2=\"4.5\" stroke=\"#010203\" "
                     "stroke-width=\"2\" stroke-linecap=\"round\" stroke-dasharray=\"5 5\"/>"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<circle class=\"marker\" data-point=\"2,7\" cx=\"10\" cy=\"11\" "
                     "r=\"3.5\" fill=\"#0000ff\" stroke=\"#ffffff\" stroke-width=\"1\"/>"),
            std::string::npos)
      << svg;
}

TEST(Gif, PaletteHoldsLineAndCircleColours) {
  Scene scene;
  scene.width = scene.height = 24;
  scene.add(make_line(2, 2, 20, 20, 2, Color{200, 10, 10}));
  Circle c;
  c.cx = c.cy = 12;
  c.r = 5;
  c.fill = Color{10, 10, 200};
  c.stroke = Color{10, 200, 10};
  scene.add(c);
  const std::vector<Image> frames = decode_gif(encode_gif(scene));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].rgb, rasterize(scene, 0).rgb);
}

}  // namespace
}  // namespace strider::viz
