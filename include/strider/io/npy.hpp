// NumPy .npy files (format versions 1.0, 2.0, 3.0) to and from Tensor: how inputs, filters and
// reference outputs cross between Strider and Python.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"

namespace strider::io {

// Parses the bytes of a .npy file; `name` (usually the path) starts every error message. Accepts
// little-endian float32 ('<f4') and float64 ('<f8', rounded to float32 as NumPy's astype does,
// out-of-range values becoming +-inf) in C order, rank <= Tensor::kMaxRank.
// Throws FormatError, one line naming the file and the problem, on anything else: a bad magic
// string or version, a malformed header dict, another dtype ("x.npy: big-endian data ('>f4') is
// not supported; ..."), Fortran order, a negative or overflowing shape, or data whose size is not
// exactly the shape's ("x.npy: truncated: expected 48 bytes of data, found 40"). The size is
// checked before anything is allocated, and no input reads out of bounds.
Tensor parse_npy(std::span<const std::byte> bytes, std::string_view name);

// read_file + parse_npy. Throws IoError when the file cannot be read, FormatError as parse_npy.
Tensor read_npy(const std::filesystem::path& path);

// The .npy bytes of `t`: dtype '<f4', C order, format 1.0 (2.0 if the header would not fit),
// the header padded with spaces so that the data starts at a multiple of 64 bytes, as np.save
// writes. A rank-0 tensor is written with shape ().
std::vector<std::byte> encode_npy(const Tensor& t);

// encode_npy + write_file_atomic: `path` is replaced whole or left as it was. Throws IoError.
void write_npy(const std::filesystem::path& path, const Tensor& t);

}  // namespace strider::io
