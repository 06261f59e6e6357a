#pragma once
// The checkpoint file: the runner's and the trainer's CheckpointBundle as a torch archive, wrapped
// so that it is verified before anything is restored from it:
//   8 bytes  magic "WEICKPT1"
//   8 bytes  payload length, little-endian
//   16 bytes XXH3-128 of the payload (xxHash), little-endian low then high half
//   payload  the torch archive
// Writing keeps the previous checkpoint as prev.pt beside last.pt (a hard link, so last.pt exists at
// every moment), then puts the new one in place through write_file_durably.
#include <filesystem>
#include <string>

#include <torch/serialize/archive.h>

#include "base/errors.h"

namespace wei {

// A checkpoint that cannot be trusted: missing, truncated, failing its checksum, or not parseable.
// The message is one line naming the file and what is wrong.
class CheckpointError : public InputError {
 public:
  using InputError::InputError;
};

// Saves `archive` to `path`, first keeping the checkpoint there (if any) as `previous`. Throws
// WriteError when the disk refuses; the checkpoints on disk are then unchanged.
void write_checkpoint(const std::filesystem::path& path, const std::filesystem::path& previous,
                      torch::serialize::OutputArchive& archive);

// Verifies `path` and loads it into `archive`; CheckpointError when it cannot be trusted.
void read_checkpoint(const std::filesystem::path& path, torch::serialize::InputArchive& archive);

// "" when `path` holds a complete checkpoint whose checksum matches, else what is wrong with it.
std::string checkpoint_problem(const std::filesystem::path& path);

}  // namespace wei
