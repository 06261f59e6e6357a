#include "trainers/sma_circuits/sma_circuits_trainer.h"

#include "trainers/sma_circuits/circuit_problem.h"
#include "trainers/sma_circuits/sample_complexity_trainer.h"
#include "trainers/sma_circuits/sma_circuits_options.h"
#include "trainers/sma_circuits/turing_problem.h"

namespace wei {

TrainerInfo sma_circuits_trainer_info() {
  return trainer_info("sma_circuits",
                      "statistically meaningful approximation (Wei, Chen & Ma 2022): sample complexity of learning a "
                      "boolean circuit with an MLP (against the circuit's size and the network's width) and a Turing "
                      "machine's output with a Transformer (against its steps, states and alphabet)",
                      sma_circuits::options_schema(),
                      [](const RunContext& ctx, const sma_circuits::Options& o) {
                        return sma_circuits::make_sample_complexity_trainer(
                            ctx, o,
                            o.setting == sma_circuits::Setting::kTuring ? sma_circuits::make_turing_problem
                                                                        : sma_circuits::make_circuit_problem);
                      });
}

}  // namespace wei
