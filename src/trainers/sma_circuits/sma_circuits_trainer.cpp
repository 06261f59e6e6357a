#include "trainers/sma_circuits/sma_circuits_trainer.h"

#include "trainers/sma_circuits/circuit_trainer.h"
#include "trainers/sma_circuits/sma_circuits_options.h"

namespace wei {

TrainerInfo sma_circuits_trainer_info() {
  return trainer_info("sma_circuits",
                      "statistically meaningful approximation (Wei, Chen & Ma 2022): sample complexity of learning a "
                      "boolean circuit with an MLP, against the circuit's size and the network's width",
                      sma_circuits::options_schema(),
                      [](const RunContext& ctx, const sma_circuits::Options& o) {
                        return sma_circuits::make_circuit_trainer(ctx, o);
                      });
}

}  // namespace wei
