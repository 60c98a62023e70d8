// Checkpoint directories: the manifest + data file layout, the crash-safe save sequence and the
// validating loader. The loader treats both files as hostile (decode_checkpoint is a fuzz target).
#include "strider/io/checkpoint.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <bit>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <system_error>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// The data file holds float32 as this host lays them out.
static_assert(std::endian::native == std::endian::little, "checkpoints assume little-endian");

constexpr std::string_view kFormat = "strider-checkpoint";
constexpr std::string_view kDataPrefix = "tensors-";
constexpr std::string_view kDataSuffix = ".bin";
constexpr int kMaxDepth = 64;                        // metadata nesting a manifest may use
constexpr std::size_t kMaxManifestBytes = 64 << 20;  // far above any model's spec and history
constexpr std::size_t kMaxDataNameLength = 100;

std::uint32_t crc32_of(std::span<const std::byte> bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

bool is_data_file_name(std::string_view name) {
  if (name.size() > kMaxDataNameLength || !name.starts_with(kDataPrefix) ||
      !name.ends_with(kDataSuffix) || name.size() == kDataPrefix.size() + kDataSuffix.size()) {
    return false;
  }
  for (const char c :
       name.substr(kDataPrefix.size(), name.size() - kDataPrefix.size() - kDataSuffix.size())) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// What an interrupted save can leave behind: write_file_atomic's temporaries of either file.
bool is_save_leftover(std::string_view name) {
  std::string manifest_temp(1, '.');
  manifest_temp += kCheckpointManifest;
  manifest_temp += ".tmp.";
  std::string data_temp(1, '.');
  data_temp += kDataPrefix;
  return name.starts_with(manifest_temp) ||
         (name.starts_with(data_temp) && name.find(".tmp.") != std::string_view::npos);
}

class ManifestReader {
 public:
  explicit ManifestReader(std::string_view name) : name_(name) {}

  [[noreturn]] void fail(std::string_view problem) const {
    throw FormatError(fmt::format("{}: {}", name_, problem));
  }

  const Json& field(const Json& object, std::string_view key, std::string_view path) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(fmt::format("missing '{}{}'", path, key));
    return *it;
  }

  std::string string(const Json& object, std::string_view key, std::string_view path = "") const {
    const Json& value = field(object, key, path);
    if (!value.is_string()) fail(fmt::format("'{}{}' must be a string", path, key));
    return value.get<std::string>();
  }

  std::int64_t integer(const Json& value, std::string_view what) const {
    if (value.is_number_unsigned()) {
      const auto v = value.get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(fmt::format("'{}' is too large: {}", what, v));
      }
      return static_cast<std::int64_t>(v);
    }
    if (!value.is_number_integer()) fail(fmt::format("'{}' must be an integer", what));
    return value.get<std::int64_t>();
  }

  std::int64_t integer(const Json& object, std::string_view key, std::string_view path) const {
    return integer(field(object, key, path), fmt::format("{}{}", path, key));
  }

 private:
  std::string_view name_;
};

struct TensorEntry {
  std::string name;
  Shape shape;
  std::int64_t offset = 0;
  std::int64_t bytes = 0;
};

struct Manifest {
  std::string model_spec;
  Json metadata;
  std::string data_file;
  std::int64_t data_bytes = 0;
  std::uint32_t data_crc32 = 0;
  std::vector<TensorEntry> tensors;
};

Json parse_json(std::string_view text, const ManifestReader& reader) {
  if (text.size() > kMaxManifestBytes) {
    reader.fail(fmt::format("{} bytes is too large for a checkpoint manifest", text.size()));
  }
  // The depth limit keeps a hostile file from exhausting the stack when the document is used or
  // destroyed.
  const Json::parser_callback_t limit_depth = [&reader](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxDepth) reader.fail(fmt::format("nested deeper than {} levels", kMaxDepth));
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), limit_depth);
  } catch (const Json::exception& e) {
    reader.fail(fmt::format("malformed JSON: {}", e.what()));
  }
}

Manifest parse_manifest(std::string_view text, std::string_view name) {
  const ManifestReader reader(name);
  const Json doc = parse_json(text, reader);
  if (!doc.is_object()) reader.fail("a checkpoint manifest must be a JSON object");
  if (reader.string(doc, "format") != kFormat) {
    reader.fail(fmt::format("not a Strider checkpoint: 'format' must be \"{}\"", kFormat));
  }
  const std::int64_t version = reader.integer(doc, "version", "");
  if (version != kCheckpointVersion) {
    reader.fail(fmt::format("unsupported checkpoint version {} (this build reads version {})",
                            version, kCheckpointVersion));
  }
  Manifest manifest;
  manifest.model_spec = reader.string(doc, "model_spec");
  manifest.metadata = reader.field(doc, "metadata", "");
  manifest.data_file = reader.string(doc, "data_file");
  if (!is_data_file_name(manifest.data_file)) {
    reader.fail(
        fmt::format("'data_file' must be a name {}<letters, digits, - or _>{} in the "
                    "checkpoint directory, got {}",
                    kDataPrefix, kDataSuffix, Json(manifest.data_file).dump()));
  }
  manifest.data_bytes = reader.integer(doc, "data_bytes", "");
  const std::int64_t crc = reader.integer(doc, "data_crc32", "");
  if (crc < 0 || crc > std::numeric_limits<std::uint32_t>::max()) {
    reader.fail(fmt::format("'data_crc32' must be a 32-bit unsigned value, got {}", crc));
  }
  manifest.data_crc32 = static_cast<std::uint32_t>(crc);

  const Json& tensors = reader.field(doc, "tensors", "");
  if (!tensors.is_array()) reader.fail("'tensors' must be an array");
  std::set<std::string, std::less<>> names;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string path = fmt::format("tensors[{}].", i);
    const Json& item = tensors[i];
    if (!item.is_object()) reader.fail(fmt::format("'tensors[{}]' must be an object", i));
    TensorEntry entry;
    entry.name = reader.string(item, "name", path);
    if (entry.name.empty()) reader.fail(fmt::format("'{}name' is empty", path));
    if (!names.insert(entry.name).second) {
      reader.fail(fmt::format("tensor name {} appears twice", Json(entry.name).dump()));
    }
    if (reader.string(item, "dtype", path) != "float32") {
      reader.fail(fmt::format("'{}dtype' must be \"float32\"", path));
    }
    const Json& shape = reader.field(item, "shape", path);
    if (!shape.is_array() || shape.size() > Tensor::kMaxRank) {
      reader.fail(
          fmt::format("'{}shape' must be an array of at most {} extents", path, Tensor::kMaxRank));
    }
    std::int64_t elements = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      const std::int64_t extent = reader.integer(shape[d], fmt::format("{}shape[{}]", path, d));
      if (extent < 0) reader.fail(fmt::format("'{}shape[{}]' is negative: {}", path, d, extent));
      entry.shape.push_back(extent);
      if (__builtin_mul_overflow(elements, extent, &elements)) {
        reader.fail(
            fmt::format("'{}shape' {} overflows 64-bit sizes", path, format_shape(entry.shape)));
      }
    }
    std::int64_t bytes = 0;
    if (__builtin_mul_overflow(elements, std::int64_t{sizeof(float)}, &bytes)) {
      reader.fail(
          fmt::format("'{}shape' {} overflows 64-bit sizes", path, format_shape(entry.shape)));
    }
    entry.offset = reader.integer(item, "offset", path);
    entry.bytes = reader.integer(item, "bytes", path);
    if (entry.bytes != bytes) {
      reader.fail(fmt::format("'{}bytes' is {}, but shape {} of float32 needs {}", path,
                              entry.bytes, format_shape(entry.shape), bytes));
    }
    if (entry.offset != offset) {
      reader.fail(
          fmt::format("'{}offset' is {}, expected {} (tensors are stored one after "
                      "another)",
                      path, entry.offset, offset));
    }
    if (__builtin_add_overflow(offset, bytes, &offset)) {
      reader.fail(fmt::format("'{}' ends beyond 64-bit sizes", path));
    }
    manifest.tensors.push_back(std::move(entry));
  }
  if (offset != manifest.data_bytes) {
    reader.fail(fmt::format("the tensors' shapes account for {} bytes, but 'data_bytes' is {}",
                            offset, manifest.data_bytes));
  }
  return manifest;
}

Checkpoint build(Manifest manifest, std::span<const std::byte> data, std::string_view name,
                 std::string_view data_name) {
  if (static_cast<std::int64_t>(data.size()) != manifest.data_bytes) {
    throw FormatError(fmt::format("{}: {} bytes, but {} says {}", data_name, data.size(), name,
                                  manifest.data_bytes));
  }
  const std::uint32_t crc = crc32_of(data);
  if (crc != manifest.data_crc32) {
    throw FormatError(
        fmt::format("{}: checksum mismatch: the data's CRC-32 is {:#010x}, {} says {:#010x}",
                    data_name, crc, name, manifest.data_crc32));
  }
  Checkpoint checkpoint;
  checkpoint.model_spec = std::move(manifest.model_spec);
  checkpoint.metadata = std::move(manifest.metadata);
  checkpoint.tensors.reserve(manifest.tensors.size());
  for (TensorEntry& entry : manifest.tensors) {
    Tensor tensor = Tensor::uninitialized(entry.shape);
    if (entry.bytes > 0) {
      std::memcpy(tensor.data(), data.data() + entry.offset, static_cast<std::size_t>(entry.bytes));
    }
    checkpoint.tensors.emplace_back(std::move(entry.name), std::move(tensor));
  }
  return checkpoint;
}

std::string text_of(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string unique_data_name(const fs::path& dir) {
  std::random_device random;
  std::mt19937_64 engine(
      (std::uint64_t{random()} << 32) ^ random() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (;;) {
    std::string name(kDataPrefix);
    name += fmt::format("{:016x}", engine());
    name += kDataSuffix;
    std::error_code ec;
    if (!fs::exists(dir / name, ec)) return name;
  }
}

void check_directory(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) {
    throw IoError(fmt::format("checkpoint '{}' does not exist", dir.string()));
  }
  if (ec) throw IoError(fmt::format("cannot read checkpoint '{}': {}", dir.string(), ec.message()));
  if (!fs::is_directory(status)) {
    throw IoError(fmt::format("checkpoint '{}' is not a directory", dir.string()));
  }
  if (!fs::exists(dir / kCheckpointManifest, ec)) {
    throw IoError(fmt::format("'{}' is not a checkpoint directory: no {}", dir.string(),
                              kCheckpointManifest));
  }
}

}  // namespace

void save_checkpoint(const fs::path& dir, const Checkpoint& checkpoint) {
  std::set<std::string_view> names;
  std::int64_t total = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name.empty()) throw InvalidArgument("save_checkpoint: a tensor name is empty");
    if (!names.insert(name).second) {
      throw InvalidArgument(fmt::format("save_checkpoint: tensor name '{}' appears twice", name));
    }
    total = checked_add(total,
                        checked_mul(tensor.size(), std::int64_t{sizeof(float)}, "save_checkpoint"),
                        "save_checkpoint");
  }
  const MemoryReservation reserved(total, "save_checkpoint: the tensor data");
  std::vector<std::byte> data(static_cast<std::size_t>(total));
  Json tensors = Json::array();
  std::int64_t offset = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    const std::int64_t bytes = tensor.size() * static_cast<std::int64_t>(sizeof(float));
    if (bytes > 0) {
      std::memcpy(data.data() + offset, tensor.data(), static_cast<std::size_t>(bytes));
    }
    tensors.push_back({{"name", name},
                       {"dtype", "float32"},
                       {"shape", tensor.shape()},
                       {"offset", offset},
                       {"bytes", bytes}});
    offset += bytes;
  }

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw IoError(
        fmt::format("cannot create checkpoint directory '{}': {}", dir.string(), ec.message()));
  }
  const std::string data_file = unique_data_name(dir);
  const Json manifest = {{"format", kFormat},
                         {"version", kCheckpointVersion},
                         {"model_spec", checkpoint.model_spec},
                         {"metadata", checkpoint.metadata},
                         {"data_file", data_file},
                         {"data_bytes", total},
                         {"data_crc32", crc32_of(data)},
                         {"tensors", tensors}};
  std::string text;
  try {
    text = manifest.dump(2, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception& e) {
    throw InvalidArgument(
        fmt::format("save_checkpoint: the model spec, a tensor name or the "
                    "metadata is not valid UTF-8 ({})",
                    e.what()));
  }
  text.push_back('\n');

  write_file_atomic(dir / data_file, data);
  try {
    // The commit point: until this rename the old manifest names the old, untouched data file.
    write_file_atomic(dir / kCheckpointManifest, std::as_bytes(std::span(text)));
  } catch (...) {
    fs::remove(dir / data_file, ec);
    throw;
  }

  // Best effort: a file left here only costs space, and the next save removes it.
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool stale_data = is_data_file_name(name) && name != data_file;
    if (stale_data || is_save_leftover(name)) fs::remove(entry.path(), ec);
  }
}

Checkpoint decode_checkpoint(std::string_view manifest, std::span<const std::byte> data,
                             std::string_view name) {
  Manifest parsed = parse_manifest(manifest, name);
  const std::string data_name = parsed.data_file;
  return build(std::move(parsed), data, name, data_name);
}

Checkpoint load_checkpoint(const fs::path& dir) {
  check_directory(dir);
  const fs::path manifest_path = dir / kCheckpointManifest;
  const std::string name = manifest_path.string();
  std::string text = text_of(read_file(manifest_path));
  // A save running beside this load may replace the manifest and remove the data file it named
  // between the two reads; the new manifest then names a complete data file.
  for (int attempt = 0;; ++attempt) {
    Manifest manifest = parse_manifest(text, name);
    const fs::path data_path = dir / manifest.data_file;
    std::vector<std::byte> data;
    try {
      data = read_file(data_path);
    } catch (const IoError&) {
      std::string again = text_of(read_file(manifest_path));
      if (attempt >= 3 || again == text) throw;
      text = std::move(again);
      continue;
    }
    return build(std::move(manifest), data, name, data_path.string());
  }
}

bool checkpoint_exists(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / kCheckpointManifest, ec);
}

}  // namespace strider::io
