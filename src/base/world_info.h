#pragma once
// Where this process sits in a data-parallel run, read from the environment its launcher set:
//   - torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
//     MASTER_PORT), which `wei-run run --nproc N` sets for its own workers too;
//   - else Slurm's, inside an `srun` step of several tasks (SLURM_PROCID, SLURM_STEP_NUM_TASKS or
//     SLURM_NTASKS, SLURM_LOCALID, SLURM_STEP_TASKS_PER_NODE): the master is the first host of
//     SLURM_JOB_NODELIST and the port is derived from SLURM_JOB_ID, so every task computes the same
//     address without talking to the others;
//   - else a world of one (no rendezvous, no process group).
// A batch script's own shell (SLURM_NTASKS > 1 but no srun step) is a world of one: only a task of
// an srun step has SLURM_STEP_ID.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wei {

struct WorldInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;  // ranks on this machine: they share its cores
  std::string master_addr = "127.0.0.1";
  int master_port = 0;
  std::string launcher = "none";  // "torchrun" (or --nproc), "slurm" or "none"

  bool distributed() const { return world_size > 1; }
};

// Looks a variable up; std::nullopt when unset. Tests pass their own table.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// Throws InputError naming the variable when one is malformed or inconsistent (a rank outside the
// world, a missing MASTER_ADDR for a world of several).
WorldInfo detect_world(const EnvLookup& env);

// The first host of a Slurm node list: "node[03-05,9],gpu1" -> "node03".
std::string first_slurm_host(const std::string& node_list);
// A port in [20000, 60000) from the job id, the same in every task of the job.
int slurm_master_port(int64_t job_id);

// The cores one rank may use: usable_cores() split between the ranks on this machine, unless the
// launcher already bound each rank to its own cores (Slurm task affinity), which usable_cores()
// then reports. Every core in a world of one.
int usable_cores_per_rank(const WorldInfo& world);

}  // namespace wei
