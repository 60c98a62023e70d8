#include "strider/core/parse.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"

namespace strider {
namespace {

TEST(ParseIntList, AcceptsListsAndSigns) {
  EXPECT_EQ(parse_int_list("2", "x"), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(parse_int_list("1, 2 ,+3,-4", "x"), (std::vector<std::int64_t>{1, 2, 3, -4}));
}

TEST(ParseIntList, RejectsGarbageNamingTheArgument) {
  for (const char* bad : {"", ",", "1,", "a", "1.5", "2x", "1,,2", "99999999999999999999"}) {
    try {
      parse_int_list(bad, "--strides");
      ADD_FAILURE() << bad;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--strides: ", 0), 0u) << e.what();
    }
  }
}

TEST(FormatCount, GroupsThousands) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(896), "896");
  EXPECT_EQ(format_count(55296), "55,296");
  EXPECT_EQ(format_count(-1234567), "-1,234,567");
}

}  // namespace
}  // namespace strider
