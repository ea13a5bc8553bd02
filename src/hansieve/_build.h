// Helpers of the native builder (see _build.pxi).
#pragma once
#include <stdint.h>
#if defined(__GLIBC__)
#include <malloc.h>
// Give the heap pages freed by a large build back to the OS: glibc keeps them otherwise,
// and the process stays at the build's peak (see _release_build_memory).
static int hs_release_free_memory(void) { return malloc_trim(0); }
#else
static int hs_release_free_memory(void) { return 0; }
#endif
#ifdef __cplusplus
#include <algorithm>
#include <vector>
// Most frequent first; equal counts keep their order (first occurrence).
static void hs_stable_sort_by_count(std::vector<uint32_t>& order, const std::vector<uint64_t>& counts) {
    std::stable_sort(order.begin(), order.end(),
                     [&counts](uint32_t a, uint32_t b) { return counts[a] > counts[b]; });
}
#endif
