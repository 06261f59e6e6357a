#pragma once
// setting: hypersphere. The locuslab notebook's experiment: a 2-layer ReLU network (relu_network.h)
// trained by plain SGD on points of two concentric spheres (hypersphere_data.h), passing over the
// training set in its fixed order until at most `threshold` of the training points have logit
// margin below `margin` (checked after each pass, as the notebook does). A history row covers
// `passes_per_row` passes, the row that reaches the margin ending at that pass; it holds the
// fraction below the margin and the training, test and S' errors (a point is an error when its
// margin is negative). The runner's row count is fixed (max_passes / passes_per_row), so rows after
// the margin is reached repeat the final state with trained: false. A last partial batch is kept
// (the notebook drops it; its sizes have none). The data, test set and initialisation come from
// their own seed streams, so runs of one seed at different n share the test set and the initial
// network, as the notebook's loop over n does.
#include <memory>

#include "train/trainer.h"
#include "trainers/max_margin/max_margin_options.h"

namespace wei::max_margin {

std::unique_ptr<Trainer> make_hypersphere_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::max_margin
