#pragma once
// Seams for the fault-injection suite (tests/faults/), driven by environment variables that no
// user sets; each costs one getenv at its first use:
//   WEI_INJECT_ENOSPC_AFTER=N         durable writes of this process fail with ENOSPC once N bytes in
//                                     all have gone through them (a disk that fills up mid-run)
//   WEI_INJECT_SIGKILL_IN_WRITE=K:P   the K-th durable write or append (1-based) of this process is
//                                     killed with SIGKILL at point P: "partial" (half of it written),
//                                     "before_rename" (the temporary file complete) or "after_rename"
//   WEI_INJECT_ALLOCATE_BYTES=N       the run touches N bytes of memory once its data is loaded (a
//                                     worker for the out-of-memory killer)
#include <cstddef>

namespace wei {

// True when a durable write of `bytes` more bytes should fail with ENOSPC.
bool inject_enospc(size_t bytes);

enum class WritePoint { kPartial, kBeforeRename, kAfterRename };
// Counts durable writes and appends (each passes kPartial once, half-way) and kills the process
// where WEI_INJECT_SIGKILL_IN_WRITE says.
void inject_sigkill_in_write(WritePoint point);

void inject_allocation();

}  // namespace wei
