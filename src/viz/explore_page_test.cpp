// The explore page's tables are geometry's Windows, entry for entry, and the page is one
// self-contained file.
#include "strider/viz/explore_page.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "strider/core/error.hpp"
#include "strider/geometry/window.hpp"

namespace strider::viz {
namespace {

using nlohmann::json;

TEST(ExplorePage, EveryTableEntryIsTheWindowGeometryComputes) {
  const ExploreRanges ranges{9, 4, 3, 2};
  const json tables = json::parse(explore_tables_json(ranges));
  EXPECT_EQ(tables["ranges"]["input"], json::array({1, 9}));
  EXPECT_EQ(tables["ranges"]["padding"], json::array({"valid", "same"}));
  const json& axes = tables["axes"];
  ASSERT_EQ(axes.size(), 9u * 4 * 3 * 2 * 2);
  std::size_t index = 0, refused = 0;
  for (std::int64_t n = 1; n <= 9; ++n) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t s = 1; s <= 3; ++s) {
        for (std::int64_t d = 1; d <= 2; ++d) {
          for (const PaddingKind p : {PaddingKind::kValid, PaddingKind::kSame}) {
            const json& e = axes[index++];
            const std::string what =
                fmt::format("n={} k={} s={} d={} {}", n, k, s, d, padding_kind_name(p));
            Window w;
            try {
              w = Window::make(n, {k, s, d, {p, 0, 0}}, "conv2d", "@AXIS@");
            } catch (const Error& error) {
              EXPECT_EQ(e.at("e"), error.what()) << what;
              ++refused;
              continue;
            }
            ASSERT_FALSE(e.contains("e")) << what;
            EXPECT_EQ(e.at("o"), w.output_size()) << what;
            EXPECT_EQ(e.at("b"), w.pad_before()) << what;
            EXPECT_EQ(e.at("a"), w.pad_after()) << what;
            EXPECT_EQ(e.at("m"), w.output_size() * k) << what;
            EXPECT_EQ(e.at("u"), w.unread_inputs()) << what;
            ASSERT_EQ(e.at("t").size(), static_cast<std::size_t>(w.output_size() * k)) << what;
            for (std::int64_t o = 0; o < w.output_size(); ++o) {
              for (std::int64_t j = 0; j < k; ++j) {
                EXPECT_EQ(e.at("t")[static_cast<std::size_t>(o * k + j)], w.tap(o, j)) << what;
              }
            }
            ASSERT_EQ(e.at("r").size(), static_cast<std::size_t>(n)) << what;
            for (std::int64_t i = 0; i < n; ++i) {
              EXPECT_EQ(e.at("r")[static_cast<std::size_t>(i)], w.reads_of(i)) << what;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(refused, 0u);  // VALID windows larger than small inputs
}

TEST(ExplorePage, IsOneSelfContainedFileOfReasonableSize) {
  const std::string page = explore_page();
  EXPECT_LT(page.size(), 2'000'000u);
  EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
  for (const char* fetch :
       {"src=", "href=", "<link", "@import", "url(", "fetch(", "XMLHttp", "import("}) {
    EXPECT_EQ(page.find(fetch), std::string::npos) << fetch;
  }
  // The tables' text cannot close the script element that holds them.
  const std::size_t begin = page.find("id=\"strider-tables\">");
  const std::size_t end = page.find("</script>", begin);
  ASSERT_NE(begin, std::string::npos);
  const std::string tables = page.substr(begin + 20, end - begin - 20);
  EXPECT_EQ(tables.find('<'), std::string::npos);
  EXPECT_TRUE(json::accept(tables));
}

TEST(ExplorePage, RefusesRangesOutsideOneTo64) {
  EXPECT_THROW(explore_tables_json({0, 7, 4, 3}), InvalidArgument);
  EXPECT_THROW(explore_tables_json({16, 65, 4, 3}), InvalidArgument);
}

}  // namespace
}  // namespace strider::viz
