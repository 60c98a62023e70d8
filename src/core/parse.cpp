#include "strider/core/parse.hpp"

#include <fmt/format.h>

#include <charconv>

#include "strider/core/error.hpp"

namespace strider {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::int64_t> parse_int_list(std::string_view text, std::string_view what) {
  std::vector<std::int64_t> values;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    std::int64_t value = 0;
    const char* end = item.data() + item.size();
    // from_chars rejects a leading '+', which people do type; accept it.
    const char* begin = (!item.empty() && item.front() == '+') ? item.data() + 1 : item.data();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (item.empty() || ec != std::errc() || ptr != end) {
      const char* rule = ec == std::errc::result_out_of_range ? "integers must fit in 64 bits"
                                                              : "expected comma-separated integers";
      throw InvalidArgument(fmt::format("{}: {}, got '{}'", what, rule, text));
    }
    values.push_back(value);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return values;
}

std::string format_count(std::int64_t value) {
  std::string digits =
      std::to_string(value < 0 ? -(value + 1) + 1ULL : static_cast<unsigned long long>(value));
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace strider
