#pragma once
// Finding the paper's numbers for runs. The `reference:` block is dropped from the resolved spec
// (spec/paper_reference.h), so it is read again from the spec file a run was started from:
//  1. the nearest sweep.json at or above the run directory (up to its root): its "spec" path;
//  2. otherwise metrics.json run.argv: the first *.yaml / *.yml argument after "run"; a relative
//     path is tried against the working directory, then against each directory above the run.
// A spec file that is gone, or has no reference block, gives no reference. Each file is read once.
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

// How a command chose references: "" finds them as above, "none" attaches none, anything else is
// a spec file whose reference block applies to every run (InputError when it has none).
void attach_references(std::vector<RunRecord>& runs, const std::vector<std::string>& roots,
                       const std::string& choice);

// The spec file a run was started from, found as above; empty when none is found.
std::string spec_file_of_run(const RunRecord& run, const std::vector<std::string>& roots);

}  // namespace wei
