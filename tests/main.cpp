// The single Catch2 entry point of wei_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
