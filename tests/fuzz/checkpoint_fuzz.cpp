// Fuzz target: checkpoint loading (decode_checkpoint, what load_checkpoint runs on the two files)
// on an arbitrary manifest and data file. Input: a 2-byte little-endian manifest length, the
// manifest's text, then the data file's bytes. It must either throw strider::Error or return
// tensors that account for exactly the data file's bytes under unique, non-empty names.
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "strider/core/error.hpp"
#include "strider/io/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strider::fuzz::invariant_failed;
  if (size < 2) return 0;
  const std::size_t length = std::min<std::size_t>(data[0] | (std::size_t{data[1]} << 8), size - 2);
  // Exact-size copies, so that ASan sees any read past the end of either file.
  const std::string manifest(reinterpret_cast<const char*>(data) + 2, length);
  const std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data) + 2 + length,
                                     reinterpret_cast<const std::byte*>(data) + size);
  strider::io::Checkpoint checkpoint;
  try {
    checkpoint = strider::io::decode_checkpoint(manifest, bytes, "fuzz/checkpoint.json");
  } catch (const strider::Error&) {
    return 0;
  }
  std::set<std::string> names;
  std::size_t total = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name.empty() || !names.insert(name).second) {
      invariant_failed("an empty or repeated tensor name", "checkpoint");
    }
    total += static_cast<std::size_t>(tensor.size()) * sizeof(float);
  }
  if (total != bytes.size()) invariant_failed("tensors disagree with the data size", "checkpoint");
  return 0;
}
