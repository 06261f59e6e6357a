// Precompiled header for every translation unit of wei_core, wei-run and wei_tests.
// Only heavy, stable third-party headers belong here.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>
#include <spdlog/spdlog.h>
