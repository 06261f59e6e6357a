#include "base/world_info.h"

#include <catch2/catch.hpp>

#include <map>

#include "base/errors.h"

namespace {

wei::EnvLookup world_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("no launcher variables: a world of one", "[world]") {
  const wei::WorldInfo w = wei::detect_world(world_env({}));
  CHECK_FALSE(w.distributed());
  CHECK(w.rank == 0);
  CHECK(w.launcher == "none");
}

TEST_CASE("torchrun variables give rank, sizes and the master", "[world]") {
  const wei::WorldInfo w = wei::detect_world(world_env({{"RANK", "3"},
                                                        {"WORLD_SIZE", "4"},
                                                        {"LOCAL_RANK", "1"},
                                                        {"LOCAL_WORLD_SIZE", "2"},
                                                        {"MASTER_ADDR", "node7"},
                                                        {"MASTER_PORT", "29500"}}));
  CHECK(w.distributed());
  CHECK(w.rank == 3);
  CHECK(w.world_size == 4);
  CHECK(w.local_rank == 1);
  CHECK(w.local_world_size == 2);
  CHECK(w.master_addr == "node7");
  CHECK(w.master_port == 29500);
  CHECK(w.launcher == "torchrun");
}

TEST_CASE("inconsistent torchrun variables are input errors naming the variable", "[world]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(wei::detect_world(world_env({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"},
                                                 {"MASTER_PORT", "1"}})),
                    Contains("RANK='2'"));
  CHECK_THROWS_WITH(wei::detect_world(world_env({{"RANK", "0"}, {"WORLD_SIZE", "two"}})), Contains("WORLD_SIZE='two'"));
  CHECK_THROWS_WITH(wei::detect_world(world_env({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500"}})),
                    Contains("MASTER_ADDR"));
  CHECK_THROWS_WITH(wei::detect_world(world_env({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}})),
                    Contains("MASTER_PORT"));
  CHECK_THROWS_AS(wei::detect_world(world_env({{"RANK", "1"}})), wei::InputError);
}

TEST_CASE("an srun step of several tasks is a Slurm world, the batch shell is not", "[world]") {
  std::map<std::string, std::string> vars = {{"SLURM_PROCID", "1"},
                                             {"SLURM_NTASKS", "4"},
                                             {"SLURM_LOCALID", "1"},
                                             {"SLURM_JOB_NODELIST", "gpu[07-08],cpu1"},
                                             {"SLURM_JOB_ID", "123456"}};
  CHECK_FALSE(wei::detect_world(world_env(vars)).distributed());  // no step: the batch script itself

  vars["SLURM_STEP_ID"] = "0";
  vars["SLURM_STEP_NUM_TASKS"] = "4";
  vars["SLURM_STEP_TASKS_PER_NODE"] = "2(x2)";
  const wei::WorldInfo w = wei::detect_world(world_env(vars));
  CHECK(w.launcher == "slurm");
  CHECK(w.rank == 1);
  CHECK(w.world_size == 4);
  CHECK(w.local_rank == 1);
  CHECK(w.local_world_size == 2);
  CHECK(w.master_addr == "gpu07");
  CHECK(w.master_port == wei::slurm_master_port(123456));

  // torchrun's variables win over Slurm's (torchrun started inside an allocation).
  vars.insert({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  CHECK(wei::detect_world(world_env(vars)).launcher == "torchrun");
}

TEST_CASE("the first host of a Slurm node list and the job's port", "[world]") {
  CHECK(wei::first_slurm_host("vm") == "vm");
  CHECK(wei::first_slurm_host("node[03-05,9],gpu1") == "node03");
  CHECK(wei::first_slurm_host("a,b") == "a");
  CHECK(wei::first_slurm_host("rack[2]-n[1-4]") == "rack2-n1");
  CHECK_THROWS_AS(wei::first_slurm_host("node[1-2"), wei::InputError);
  const int port = wei::slurm_master_port(987654321);
  CHECK(port >= 20000);
  CHECK(port < 60000);
  CHECK(port == wei::slurm_master_port(987654321));
  CHECK(port != wei::slurm_master_port(987654322));
}
