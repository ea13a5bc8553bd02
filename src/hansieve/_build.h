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
