#pragma once
// Whether a command is working on a run directory or sweep root right now: some process holds a
// flock on its lock file (base/directory_lock.h). Read from /proc/locks, so asking never takes the
// lock itself: a probe that locked, even for a moment, could make a starting sweep exit 4.
#include <filesystem>

namespace wei {

// True when a live process holds a flock (shared or exclusive) on DIR/.wei-run.lock.
bool directory_in_use(const std::filesystem::path& dir);

}  // namespace wei
