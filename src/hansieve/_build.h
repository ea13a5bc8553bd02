// Helpers of the native builder (see _build.pxi).
#pragma once
#include <stdint.h>
#include <algorithm>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
// Give the heap pages freed by a large build back to the OS: glibc keeps them otherwise,
// and the process stays at the build's peak (see _release_build_memory).
static int hs_release_free_memory(void) { return malloc_trim(0); }
#else
static int hs_release_free_memory(void) { return 0; }
#endif
struct hs_edge_tmp { uint32_t parent; uint32_t sym; uint32_t child; };
// Orders build-time edges by (parent, symbol) so each state's edges become one sorted run.
static inline void hs_sort_edges(std::vector<hs_edge_tmp>& v) {
    std::sort(v.begin(), v.end(), [](const hs_edge_tmp& a, const hs_edge_tmp& b) {
        return a.parent < b.parent || (a.parent == b.parent && a.sym < b.sym);
    });
}
