#pragma once
// The exit codes of every wei-run command (README "Exit codes"), one table for the command line
// (cli/) and the sweep coordinator (sweep/), which reads its workers' codes and returns its own.
namespace wei {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the run failed or diverged; diff found differences
inline constexpr int kExitUsage = 2;        // bad argv, spec, data file or checkpoint: nothing run, nothing written
inline constexpr int kExitIoError = 3;      // a result could not be written (disk full, I/O error); checkpoint intact
inline constexpr int kExitBusy = 4;         // another command holds the run directory or sweep root
inline constexpr int kExitInterrupted = 130;  // stopped by SIGINT/SIGTERM/SIGUSR1; resumable

}  // namespace wei
