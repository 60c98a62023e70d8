// End-to-end tests of `strider draw` and `strider explore`: each writes exactly what the viz
// library makes from geometry, one frame per output position, and every bad flag value is refused
// with one line naming the flag and no file.
#include <gif_lib.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/model/spec.hpp"
#include "strider/viz/explore_page.hpp"
#include "strider/viz/render.hpp"
#include "strider/viz/stride_figure.hpp"
#include "strider/viz/trace_figure.hpp"

namespace strider::cli_test {
namespace {

class Draw : public Cli {
 protected:
  std::vector<std::byte> bytes(const std::string& name) const { return io::read_file(path(name)); }

  static std::vector<std::byte> as_bytes(const std::string& text) {
    const auto* data = reinterpret_cast<const std::byte*>(text.data());
    return {data, data + text.size()};
  }

  // `strider draw ARGS --out NAME` succeeded.
  void draw(const std::string& args, const std::string& name) const {
    const Result r = run("draw " + args + " --out " + quoted(name));
    ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    EXPECT_NE(r.out.find("wrote"), std::string::npos) << r.out;
  }
};

viz::StridePicture conv(Shape input, Shape filter, Conv2DParams params) {
  return viz::StridePicture::of(Conv2DGeometry::make(input, filter, params));
}

int read_bytes(GifFileType* gif, GifByteType* into, int length) {
  auto* source = static_cast<std::pair<const std::vector<std::byte>*, std::size_t>*>(gif->UserData);
  const std::size_t n =
      std::min(static_cast<std::size_t>(length), source->first->size() - source->second);
  std::memcpy(into, source->first->data() + source->second, n);
  source->second += n;
  return static_cast<int>(n);
}

// The number of images in a GIF, -1 if giflib cannot decode it.
int gif_frames(const std::vector<std::byte>& gif_bytes) {
  std::pair<const std::vector<std::byte>*, std::size_t> source{&gif_bytes, 0};
  int error = 0;
  GifFileType* gif = DGifOpen(&source, read_bytes, &error);
  if (gif == nullptr) return -1;
  const int frames = DGifSlurp(gif) == GIF_OK ? gif->ImageCount : -1;
  DGifCloseFile(gif, &error);
  return frames;
}

TEST_F(Draw, HelpExplainsEveryFormatAndOption) {
  const Result r = run("draw --help");
  ASSERT_EQ(r.status, 0);
  for (const char* text :
       {"--input", "--kernel", "--strides", "--padding", "--dilation", "--op", "--coverage",
        "--out", "--output-padding", "--frame-ms", "--cell", ".svg", ".gif", ".png", "Example"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  }
  const Result e = run("explore --help");
  ASSERT_EQ(e.status, 0);
  EXPECT_NE(e.out.find("self-contained"), std::string::npos) << e.out;
  EXPECT_NE(run("--help").out.find("draw"), std::string::npos);
}

TEST_F(Draw, SvgIsTheLibrarysAnimationWithOneFramePerOutputPosition) {
  draw("--input 7,7 --kernel 3 --strides 2 --padding same --frame-ms 400", "a.svg");
  Conv2DParams p;
  p.strides = {2, 2};
  p.padding = Padding2D::same();
  const viz::StridePicture picture = conv({1, 7, 7, 1}, {3, 3, 1, 1}, p);
  ASSERT_EQ(picture.frames(), 16);
  EXPECT_EQ(bytes("a.svg"), as_bytes(viz::to_svg(viz::draw_animation(picture, {400, 0}).scene)));
  EXPECT_NE(slurp(path("a.svg")).find("data-frames=\"16\""), std::string::npos);
}

TEST_F(Draw, EveryStrideFormUnequalStridesAndDilation) {
  Conv2DParams p;
  p.strides = {1, 3};
  p.dilation = {2, 1};
  p.padding = Padding2D::explicit_pads(1, 0, 2, 2);
  const std::string want =
      viz::to_svg(viz::draw_animation(conv({1, 6, 9, 1}, {2, 3, 1, 1}, p)).scene);
  for (const char* form : {"1,3", "1,1,3,1"}) {
    draw(std::string("--input 6,9 --kernel 2,3 --dilation 2,1 --padding 1,0,2,2 --strides ") + form,
         "u.svg");
    EXPECT_EQ(bytes("u.svg"), as_bytes(want)) << form;
  }
}

TEST_F(Draw, GifDecodesWithAFramePerOutputPosition) {
  draw("--input 5,6 --kernel 3 --strides 2,3", "a.gif");
  EXPECT_EQ(gif_frames(bytes("a.gif")), 2 * 2);
  draw("--input 9 --kernel 3 --strides 3 --coverage", "c.gif");
  EXPECT_EQ(gif_frames(bytes("c.gif")), 1);
}

TEST_F(Draw, PngIsTheFrameStripOrTheCoverageMap) {
  draw("--input 5 --kernel 2 --op pool", "pool.png");
  Pool2DParams pool;
  pool.pool_size = {2, 2};  // strides default to the pool size
  const viz::StridePicture pooled =
      viz::StridePicture::of(Pool2DGeometry::make(Shape{1, 5, 5, 1}, pool));
  ASSERT_EQ(pooled.frames(), 4);
  EXPECT_EQ(bytes("pool.png"),
            viz::encode_png(viz::frame_strip(viz::draw_animation(pooled).scene, 2)));

  draw("--input 9,4 --kernel 2 --strides 3,1 --coverage --cell 20", "c.png");
  Conv2DParams p;
  p.strides = {3, 1};
  EXPECT_EQ(bytes("c.png"),
            viz::encode_png(viz::rasterize(
                viz::draw_coverage(conv({1, 9, 4, 1}, {2, 2, 1, 1}, p), {700, 20}).scene, 0)));
}

TEST_F(Draw, TransposedConvolutionHasAFramePerTransposedOutputPosition) {
  // (3 - 1) * 2 + 3 + output_padding 1 = 8 rows and columns.
  draw("--op conv-transpose --input 3 --kernel 3 --strides 2 --output-padding 1", "t.svg");
  EXPECT_NE(slurp(path("t.svg")).find("data-frames=\"64\""), std::string::npos);
  EXPECT_NE(slurp(path("t.svg")).find("class=\"zero\""), std::string::npos);
  draw(
      "--op conv-transpose --input 3,2 --kernel 3 --strides 2 --padding same "
      "--output-shape 1,6,4,1",
      "t.gif");
  EXPECT_EQ(gif_frames(bytes("t.gif")), 6 * 4);
}

TEST_F(Draw, ExploreWritesTheLibrarysPage) {
  const Result r = run("explore --out " + quoted("page.html"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(bytes("page.html"), as_bytes(viz::explore_page()));
  EXPECT_LT(bytes("page.html").size(), 2'000'000u);
  ASSERT_EQ(run("explore --max-input 8 --max-kernel 3 --max-stride 2 --max-dilation 1 --out " +
                quoted("small.html"))
                .status,
            0);
  EXPECT_EQ(bytes("small.html"), as_bytes(viz::explore_page({8, 3, 2, 1})));
}

TEST_F(Draw, ModelDrawsTheLibrarysReceptiveFieldTrace) {
  const std::string spec = "input(12,12,1); c1: conv(4,3,strides=2); c2: conv(4,3,padding=same)";
  const std::string model = "--model '" + spec + "'";
  draw(model + " --layer c2 --at 2,1 --frame-ms 500", "rf.svg");
  const model::ResolvedModel m = model::resolve(model::parse_model_spec(spec));
  const analysis::Trace trace = analysis::trace_position(m, m.architecture.index_of("c2"), 2, 1);
  EXPECT_EQ(bytes("rf.svg"), as_bytes(viz::to_svg(viz::draw_trace(m, trace, {500, 0}).scene)));
  // --input resizes the model; --layer defaults to the last one; GIF and PNG work too.
  draw(model + " --input 20,20 --at 0,0", "rf.gif");
  EXPECT_EQ(gif_frames(bytes("rf.gif")), 3);
  draw(model + " --at 1,1", "rf.png");
  EXPECT_EQ(slurp(path("rf.png")).substr(1, 3), "PNG");
}

TEST_F(Draw, BadFlagValuesGiveOneLineNamingTheFlagAndNoFile) {
  const std::string ok = "--input 7,7 --kernel 3 ";
  const auto draw_error = [&](const std::string& args, std::initializer_list<std::string> what,
                              const std::string& out = "x.svg") {
    expect_error("draw " + args + " --out " + quoted(out), what, out);
  };
  draw_error("--input 0,7 --kernel 3", {"--input", ">= 1"});
  draw_error("--input 7,7,7 --kernel 3", {"--input", "h,w"});
  draw_error("--input seven --kernel 3", {"--input"});
  draw_error("--input 7 --kernel 0", {"--kernel", ">= 1"});
  draw_error("--input 7 --kernel 3,3,3", {"--kernel"});
  draw_error(ok + "--strides 0", {"--strides"});
  draw_error(ok + "--strides 1,2,3", {"--strides"});
  draw_error(ok + "--padding middle", {"--padding", "middle"});
  draw_error(ok + "--dilation 0", {"--dilation"});
  draw_error(ok + "--op fold", {"--op", "fold"});
  draw_error(ok + "--frame-ms 5", {"--frame-ms", "5"});
  draw_error(ok + "--cell 2", {"--cell", "2"});
  draw_error(ok + "--op pool --dilation 2", {"--dilation", "pool"});
  draw_error(ok + "--op pool --padding 1,1,1,1", {"padding", "'valid' or 'same'"});
  draw_error(ok + "--output-padding 1", {"--output-padding", "conv-transpose"});
  draw_error(ok + "--output-shape 1,7,7,1", {"--output-shape", "conv-transpose"});
  draw_error(ok + "--op conv-transpose --strides 2 --output-padding 5", {"output_padding"});
  draw_error(ok + "--op conv-transpose --strides 2 --output-shape 1,9,9,1", {"output"});
  draw_error("--input 2 --kernel 3", {"padding 'valid'", "fit"});
  draw_error("--input 200,5 --kernel 3", {"--input", "at most 128"});
  draw_error("--input 40,40 --kernel 3 --padding same", {"--input", "1600", "at most 1024"});
  draw_error("--input 32,32 --kernel 3 --padding same", {"--out", "frame strip", ".gif"},
             "big.png");
  draw_error(ok, {"--out", ".svg, .gif or .png"}, "x.jpg");
  draw_error(ok, {"--out", ".svg, .gif or .png"}, "x");
  draw_error(ok, {"--out", "does not exist"}, "missing/x.svg");
  expect_error("draw " + ok, {"--out", "required"});
  expect_error("draw --kernel 3 --out " + quoted("x.svg"), {"--input", "required"}, "x.svg");
  const std::string model = "--model 'input(8,8,1); c: conv(2,3); f: flatten; d: dense(3)' ";
  draw_error(model + "--layer nope --at 0,0", {"nope"});
  draw_error(model + "--layer c", {"--at", "say which one"});
  draw_error(model + "--layer c --at 6,0", {"6"});
  draw_error(model + "--layer c --at 1,2,3", {"--at", "y,x"});
  draw_error(model + "--layer c --at 0,0 --kernel 3", {"--kernel", "--model"});
  draw_error(model + "--layer c --at 0,0 --strides 2", {"--strides", "--model"});
  draw_error(model + "--layer c --at 0,0 --input 0,8", {"--input", ">= 1"});
  draw_error("--model 'conv(' --at 0,0", {"conv("});
  draw_error(ok + "--at 0,0", {"--at", "only with --model"});

  const auto explore_error = [&](const std::string& args, std::initializer_list<std::string> what,
                                 const std::string& out = "x.html") {
    expect_error("explore " + args + " --out " + quoted(out), what, out);
  };
  explore_error("", {"--out", ".html"}, "x.txt");
  explore_error("--max-input 0", {"--max-input", "0"});
  explore_error("--max-input 33", {"--max-input", "33"});
  explore_error("--max-kernel 10", {"--max-kernel", "10"});
  explore_error("--max-stride 9", {"--max-stride", "9"});
  explore_error("--max-dilation 5", {"--max-dilation", "5"});
  explore_error("", {"--out", "does not exist"}, "missing/x.html");
}

}  // namespace
}  // namespace strider::cli_test
