#pragma once
// The wei-run command line: run | validate | list | diff. Returns the process exit code
// (0 ok, 1 run failed/diverged or diff found differences, 2 usage/spec/input error, 130 interrupted).
namespace wei::cli {

int main(int argc, char** argv);

}  // namespace wei::cli
