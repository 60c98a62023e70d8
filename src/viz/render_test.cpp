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

}  // namespace
}  // namespace strider::viz
