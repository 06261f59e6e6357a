#include "cli/cli.h"

int main(int argc, char** argv) { return wei::cli::main(argc, argv); }
