// Slurm's SPANK header for C++. spank.h declares the slurm_spank_* hooks outside
// its own extern "C" block, so C++ must wrap the whole include.
#pragma once

extern "C" {
#include <slurm/spank.h>
}

/// Marks the few symbols Slurm looks up in psgw_spank.so (built with -fvisibility=hidden).
#define PSGW_SPANK_EXPORT __attribute__((visibility("default")))
