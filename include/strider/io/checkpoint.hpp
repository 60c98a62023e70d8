// Training checkpoints: a directory holding a JSON manifest (checkpoint.json: the model spec,
// metadata, each tensor's name, shape and place, and a CRC-32 of the data) and one tensor data
// file (tensors-<unique>.bin: float32, little-endian, the tensors one after another). Saves are
// crash-safe: a kill at any moment leaves the previous checkpoint loadable.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strider/core/tensor.hpp"

namespace strider::io {

struct Checkpoint {
  std::string model_spec;   // format_model_spec of the architecture
  nlohmann::json metadata;  // epoch, seed, optimizer name and settings, history: the caller's
  std::vector<std::pair<std::string, Tensor>> tensors;  // weights and optimizer slots, by name
};

// The manifest's name inside a checkpoint directory, and the format version this build writes
// and reads.
inline constexpr std::string_view kCheckpointManifest = "checkpoint.json";
inline constexpr int kCheckpointVersion = 1;

// Saves `checkpoint` into `dir` (created if missing, parents included), replacing the checkpoint
// there: the data goes to a new data file under a new unique name (temporary name, fsync, rename),
// then the manifest that names it replaces the old one the same way (write_file_atomic), and only
// then are the old data file and leftovers of interrupted saves removed. A loader therefore never
// sees a manifest naming a missing or partial data file. One writer per directory at a time.
// Throws InvalidArgument for an empty or repeated tensor name or text that is not UTF-8, IoError
// when a file cannot be written (the previous checkpoint is then still in place).
void save_checkpoint(const std::filesystem::path& dir, const Checkpoint& checkpoint);

// Loads the checkpoint in `dir`, validating everything: throws IoError when `dir` or its files
// cannot be read ("... is not a checkpoint directory: no checkpoint.json"), FormatError naming the
// file for malformed JSON, another format or version, a missing or mistyped field, a data file
// name that is not one this format writes, repeated or empty tensor names, shapes that do not
// account for exactly the data file's bytes, or a checksum mismatch.
Checkpoint load_checkpoint(const std::filesystem::path& dir);

// Decodes a checkpoint from its manifest's text and its data file's bytes, with the same
// validation as load_checkpoint; `name` (the manifest's path) starts every message. The entry point
// of the fuzz target.
Checkpoint decode_checkpoint(std::string_view manifest, std::span<const std::byte> data,
                             std::string_view name);

// True when `dir` holds a checkpoint manifest (it is not validated: load_checkpoint does that).
bool checkpoint_exists(const std::filesystem::path& dir);

}  // namespace strider::io
