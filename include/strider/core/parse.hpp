// Parsing of the small textual forms shared by the CLI, test fixtures and (later) model specs:
// comma-separated integer lists such as "2", "2,2" or "1,2,2,1".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strider {

// "2,3" -> {2, 3}. Whitespace around items is allowed. Throws InvalidArgument naming `what` and
// the text on an empty item, a non-integer, or a value outside int64_t.
std::vector<std::int64_t> parse_int_list(std::string_view text, std::string_view what);

// Integer with thousands separators: 1234567 -> "1,234,567".
std::string format_count(std::int64_t value);

}  // namespace strider
