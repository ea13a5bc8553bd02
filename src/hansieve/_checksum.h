// The compiled-file checksum (see _format.pxi).
#pragma once
#include <stdint.h>
#include <string.h>
static inline uint64_t hs_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
// Corruption check of compiled files: four lanes of the xxHash64 round, then a final mix.
// Any change of one lane's input changes that lane (each step is a bijection), so every
// single-word change is caught; other changes escape with probability about 2**-64.
static uint64_t hs_checksum(const unsigned char* p, size_t n, uint64_t seed) {
    const uint64_t P1 = 11400714785074694791ULL, P2 = 14029467366897019727ULL;
    uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1, w[4], h;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        memcpy(w, p + i, 32);
        a = hs_rotl(a + w[0] * P2, 31) * P1;
        b = hs_rotl(b + w[1] * P2, 31) * P1;
        c = hs_rotl(c + w[2] * P2, 31) * P1;
        d = hs_rotl(d + w[3] * P2, 31) * P1;
    }
    h = hs_rotl(a, 1) ^ hs_rotl(b, 7) * P1 ^ hs_rotl(c, 12) * P2 ^ hs_rotl(d, 18) * 0x9E3779B97F4A7C15ULL;
    for (; i < n; i++) h = hs_rotl(h ^ (p[i] * P1), 11) * P2;
    h ^= n;
    h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P1; h ^= h >> 32;
    return h;
}
