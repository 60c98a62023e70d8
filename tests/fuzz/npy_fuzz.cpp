// Fuzz target: the .npy reader on arbitrary bytes. It must either throw strider::Error or return a
// tensor whose shape accounts for exactly the data the file holds; that tensor must then survive a
// round trip through the writer bit for bit (NaN payloads included), and the reader must never
// read outside the buffer (ASan) or allocate more than the file's own size.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_input.hpp"
#include "strider/core/error.hpp"
#include "strider/core/tensor.hpp"
#include "strider/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strider::fuzz::invariant_failed;
  // An exact-size copy, so that ASan sees any read past the end of the file's bytes.
  const std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                                     reinterpret_cast<const std::byte*>(data) + size);
  strider::Tensor tensor;
  try {
    tensor = strider::io::parse_npy(bytes, "fuzz.npy");
  } catch (const strider::Error&) {
    return 0;
  }
  const auto elements = static_cast<std::size_t>(tensor.size());
  // float32 or float64 data fill the rest of the file exactly, so 4 or 8 bytes per element.
  if (elements * 4 > size) invariant_failed("a tensor larger than its file", "npy");
  if (static_cast<std::int64_t>(elements) != strider::shape_size(tensor.shape())) {
    invariant_failed("size disagrees with shape", "npy");
  }
  const std::vector<std::byte> encoded = strider::io::encode_npy(tensor);
  const strider::Tensor again = strider::io::parse_npy(encoded, "round trip");
  if (again.shape() != tensor.shape() ||
      (elements > 0 && std::memcmp(again.data(), tensor.data(), elements * sizeof(float)) != 0)) {
    invariant_failed("write then read changes the tensor", "npy");
  }
  if (strider::io::encode_npy(again) != encoded) invariant_failed("encoding is not stable", "npy");
  return 0;
}
