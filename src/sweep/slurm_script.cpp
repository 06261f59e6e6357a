#include "sweep/slurm_script.h"

#include <cstdio>
#include <iostream>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/exit_codes.h"

namespace wei {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string slurm_array_script(const SweepOptions& options, size_t num_points, const fs::path& root) {
  const fs::path abs_root = fs::absolute(root);
  const SlurmOptions& s = options.slurm;
  std::string script = "#!/bin/bash\n";
  script += "#SBATCH --job-name=wei-" + abs_root.filename().string() + "\n";
  script += "#SBATCH --array=0-" + std::to_string(num_points - 1) +
            (s.max_parallel > 0 ? "%" + std::to_string(s.max_parallel) : "") + "\n";
  script += "#SBATCH --output=" + (abs_root / "logs" / "slurm-%A_%a.log").string() + "\n";
  script += "#SBATCH --requeue\n";
  // Slurm signals the task 120 s before its time limit; wei-run checkpoints and exits 130.
  script += "#SBATCH --signal=B:USR1@120\n";
  if (!s.partition.empty()) script += "#SBATCH --partition=" + s.partition + "\n";
  if (!s.time.empty()) script += "#SBATCH --time=" + s.time + "\n";
  if (s.cpus_per_task > 0) script += "#SBATCH --cpus-per-task=" + std::to_string(s.cpus_per_task) + "\n";
  if (!s.gpus.empty()) script += "#SBATCH --gpus=" + s.gpus + "\n";
  if (!s.mem.empty()) script += "#SBATCH --mem=" + s.mem + "\n";
  // Several tasks: srun starts the point's command once per task; each runs one rank of the point
  // (the ranks find each other from Slurm's variables) and rank 0 writes the point's directory.
  if (s.tasks > 1) script += "#SBATCH --ntasks=" + std::to_string(s.tasks) + "\n";
  script += std::string("\nexec ") + (s.tasks > 1 ? "srun " : "") + shell_quote(fs::absolute(options.self_binary).string()) + " sweep " +
            shell_quote(fs::absolute(options.spec_path).string());
  for (const auto& arg : options.args) script += " " + shell_quote(arg);
  if (!options.mode.empty()) script += " --mode " + options.mode;
  if (options.strict) script += " --strict";
  script += " --out " + shell_quote(abs_root.string()) + " --index \"$SLURM_ARRAY_TASK_ID\"\n";
  return script;
}

int submit_slurm_array(const SweepOptions& options, size_t num_points, const fs::path& root) {
  fs::create_directories(root / "slurm");
  const fs::path script_path = fs::absolute(root / "slurm" / "sweep.sbatch");
  write_file_durably(script_path, slurm_array_script(options, num_points, root));
  fs::permissions(script_path, fs::perms::owner_exec, fs::perm_options::add);
  std::cerr << "wrote " << script_path.string() << " (" << num_points << " array tasks)\n";
  if (!options.slurm.submit) return kExitOk;
  const std::string command = "sbatch --parsable " + shell_quote(script_path.string()) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw RunError("cannot run sbatch");
  std::string output;
  char buf[256];
  while (fgets(buf, sizeof(buf), pipe)) output += buf;
  const int status = pclose(pipe);
  if (status != 0) throw RunError("sbatch failed: " + output);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  write_file_durably(root / "slurm" / "job_id", output + "\n");
  std::cout << output << "\n";
  std::cerr << "submitted Slurm array job " << output << "; results land in " << root.string() << "\n";
  return kExitOk;
}

}  // namespace wei
