# The native core: the per-code-point fold table, the Aho-Corasick automaton and the scan loops.
#
# Compile-time work that needs Python (OpenCC data, term validation, the alphabet) happens in
# `compile.py`; this module turns its output into flat arrays and scans `str` buffers directly
# (PEP 393, no re-encoding) with the GIL released.

cimport cython
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport calloc, free, malloc
from cython.operator cimport dereference
from libcpp.algorithm cimport sort
from libcpp.unordered_map cimport unordered_map
from libcpp.utility cimport pair
from libcpp.vector cimport vector

from hansieve._unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READY

cdef extern from *:
    """
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
    #if defined(__GLIBC__)
    #include <malloc.h>
    // Give the heap pages freed by a large build back to the OS: glibc keeps them otherwise,
    // and the process stays at the build's peak (see _release_build_memory).
    static int hs_release_free_memory(void) { return malloc_trim(0); }
    #else
    static int hs_release_free_memory(void) { return 0; }
    #endif
    #include <algorithm>
    #include <atomic>
    #include <thread>
    #include <vector>
    #include <memory>
    // A batch of n items scanned chunk by chunk, by `threads - 1` worker threads and by the
    // caller, who between its own chunks finishes (with the GIL) the chunks already scanned, in
    // order: the serial part of find_many overlaps the scan instead of following it.
    typedef void (*hs_task)(void*, size_t);
    struct hs_batch {
        hs_task task;
        void* ctx;
        size_t n, chunk, n_chunks;
        std::atomic<size_t> next;
        std::atomic<bool> stop;
        std::unique_ptr<std::atomic<unsigned char>[]> done;
        std::vector<std::thread> pool;
    };
    // Claims the next chunk and scans it; false when none is left (or the batch is stopping).
    static bool hs_batch_step(hs_batch* b) {
        if (b->stop.load(std::memory_order_relaxed)) return false;
        size_t c = b->next.fetch_add(1);
        if (c >= b->n_chunks) return false;
        size_t begin = c * b->chunk, end = begin + b->chunk < b->n ? begin + b->chunk : b->n;
        for (size_t i = begin; i < end; i++) b->task(b->ctx, i);
        b->done[c].store(1, std::memory_order_release);
        return true;
    }
    static hs_batch* hs_batch_start(hs_task task, void* ctx, size_t n, size_t chunk, int threads) {
        hs_batch* b = new hs_batch();
        b->task = task;
        b->ctx = ctx;
        b->n = n;
        b->chunk = chunk;
        b->n_chunks = (n + chunk - 1) / chunk;
        b->next.store(0);
        b->stop.store(false);
        b->done.reset(new std::atomic<unsigned char>[b->n_chunks ? b->n_chunks : 1]());
        for (int k = 1; k < threads; k++) {
            try {
                b->pool.emplace_back([b]() { while (hs_batch_step(b)) {} });
            } catch (...) {
                break;      // fewer threads: the caller scans what they would have
            }
        }
        return b;
    }
    static inline bool hs_batch_ready(const hs_batch* b, size_t c) {
        return b->done[c].load(std::memory_order_acquire) != 0;
    }
    static void hs_batch_wait(const hs_batch* b, size_t c) {
        while (!hs_batch_ready(b, c)) std::this_thread::yield();
    }
    static void hs_batch_finish(hs_batch* b) {
        b->stop.store(true);
        for (auto& t : b->pool) t.join();
        delete b;
    }
    struct hs_edge_tmp { uint32_t parent; uint32_t sym; uint32_t child; };
    // Orders build-time edges by (parent, symbol) so each state's edges become one sorted run.
    static inline void hs_sort_edges(std::vector<hs_edge_tmp>& v) {
        std::sort(v.begin(), v.end(), [](const hs_edge_tmp& a, const hs_edge_tmp& b) {
            return a.parent < b.parent || (a.parent == b.parent && a.sym < b.sym);
        });
    }
    """
    cdef struct hs_edge_tmp:
        uint32_t parent
        uint32_t sym
        uint32_t child
    void hs_sort_edges(vector[hs_edge_tmp]& v) noexcept nogil
    ctypedef void (*hs_task)(void*, size_t) noexcept nogil
    cdef struct hs_batch:
        size_t n_chunks
    hs_batch* hs_batch_start(hs_task task, void* ctx, size_t n, size_t chunk, int threads) nogil except +
    bint hs_batch_step(hs_batch* b) noexcept nogil
    bint hs_batch_ready(const hs_batch* b, size_t c) noexcept nogil
    void hs_batch_wait(const hs_batch* b, size_t c) noexcept nogil
    void hs_batch_finish(hs_batch* b) noexcept nogil
    uint64_t hs_checksum(const uint8_t* p, size_t n, uint64_t seed) noexcept nogil
    int hs_release_free_memory() noexcept nogil


# --------------------------------------------------------------------------------------------
# The scan loop
# --------------------------------------------------------------------------------------------

cdef inline int32_t code_in(const uint32_t* page_index, const int32_t* pages,
                            uint32_t cp) noexcept nogil:
    return pages[(<Py_ssize_t>page_index[cp >> PAGE_BITS] << PAGE_BITS) | (cp & (PAGE_SIZE - 1))]


cdef inline int32_t code_of(const TablesC* t, uint32_t cp) noexcept nogil:
    return code_in(t.page_index, t.pages, cp)


cdef enum:
    SMALL_EDGES = 4         # states with at most this many edges: compared without branches
    LINEAR_EDGES = 8        # ... at most this many: searched linearly; more: binary search
    FILTER_BITS_PER_EDGE = 8    # edge filter size: two bits an edge in one 64-bit word, about
                                # 5 % false positives (the filter has every edge but the root's:
                                # 512 KiB for all 349k jieba words)


cdef inline uint64_t edge_hash(uint64_t s, uint32_t a) noexcept nogil:
    """The edge filter's hash of edge (s, a): the word is its top bits (>> filter_shift), the two
    bits in the word its low twelve (mixed with bits 32-43, so that they depend on the state as
    well as the symbol)."""
    cdef uint64_t h = ((s << 32) | a) * <uint64_t>0x9E3779B97F4A7C15
    return h ^ (h >> 32)


cdef inline uint64_t edge_bits(uint64_t h) noexcept nogil:
    """The two bits an edge of hash `h` sets in its filter word."""
    return ((<uint64_t>1) << (h & 63)) | ((<uint64_t>1) << ((h >> 6) & 63))


cdef inline bint may_have_edge(const TablesC* t, uint32_t s, uint32_t a) noexcept nogil:
    """False when state `s` certainly has no edge for `a` (either of the edge's two bits in its
    filter word is clear)."""
    cdef uint64_t h = edge_hash(s, a)
    cdef uint64_t m = edge_bits(h)
    return (t.edge_filter[h >> t.filter_shift] & m) == m


cdef inline uint32_t small_edge_target(const EdgeC* edges, uint32_t lo, uint32_t last,
                                       uint32_t a) noexcept nogil:
    """The target of the edge for `a` among edges[lo:last + 1] (at most SMALL_EDGES of them),
    or 0 (the root is no edge's target). Reads stay inside the state's own edges: slots past
    `last` repeat it."""
    cdef uint32_t i1 = lo + 1 if lo + 1 < last else last
    cdef uint32_t i2 = lo + 2 if lo + 2 < last else last
    cdef uint32_t i3 = lo + 3 if lo + 3 < last else last
    # Load every record first: a load under the condition would compile to a branch.
    cdef EdgeC e0 = edges[lo], e1 = edges[i1], e2 = edges[i2], e3 = edges[i3]
    cdef uint32_t r = 0
    r = e0.target if e0.sym == a else r
    r = e1.target if e1.sym == a else r
    r = e2.target if e2.sym == a else r
    r = e3.target if e3.sym == a else r
    return r


cdef inline uint32_t next_state(const TablesC* t, uint32_t s, uint32_t a) noexcept nogil:
    """Follow the goto edge for symbol `a`, taking failure links until one exists (the root has
    a dense row, so the walk always ends)."""
    cdef const StateC* st
    cdef uint32_t lo, hi, mid
    while s != 0:
        st = &t.states[s]
        lo = st.edge_begin
        hi = st[1].edge_begin
        # Most steps leave a state through its failure link. The edge filter answers "no
        # such edge" for most of them before any search, and so also spares the branch on
        # the state's width (small, linear, wide), which text makes unpredictable: states of
        # every width alternate (about 40 % of those branches mispredicted on news text).
        if lo < hi and may_have_edge(t, s, a):
            if hi - lo <= SMALL_EDGES:
                # One to four edges (most trie states): all slots compared without branches.
                lo = small_edge_target(t.edges, lo, hi - 1, a)
                if lo != 0:
                    return lo
            elif hi - lo <= LINEAR_EDGES:
                while lo < hi:
                    if t.edges[lo].sym == a:
                        return t.edges[lo].target
                    lo += 1
            else:
                # A wide state (a common first character, with variant spellings: dozens of
                # edges): bisection.
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if t.edges[mid].sym < a:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < st[1].edge_begin and t.edges[lo].sym == a:
                    return t.edges[lo].target
        s = st.fail
    return t.root_next[a]


cdef struct ScanC:
    # Automaton state and the ring of original positions of the last term characters.
    uint32_t state
    uint32_t prev_sym       # the last symbol fed (for repeat collapse)
    Py_ssize_t n            # term symbols consumed so far
    Py_ssize_t* ring
    Py_ssize_t mask
    int gap                 # consecutive noise code points skipped inside a match
    bint first_only
    bint done
    vector[HitC]* hits
    Py_ssize_t* counted     # count(): final hits are counted here instead of stored (or NULL)
    size_t hit_cap          # stop, flagging `overflow`, once this many hits are held (0: no cap)
    bint overflow
    Py_ssize_t last_punct   # original position of the last separator skipped inside a match, or -1
    Py_ssize_t last_noise   # ... of the last other noise code point skipped inside a match
    Py_ssize_t last_mask    # ... of the last mask symbol (*, ×, ○, ...) skipped inside a match
    # The text itself, for the whole-word check of a hit's neighbours.
    const void* data
    int kind
    Py_ssize_t length
    # Leftmost-longest: hits not yet settled (a later hit may still start at or before them).
    vector[PendingC]* pending
    Py_ssize_t last_end_n   # reported hits may not start before this symbol index


cdef inline uint32_t read_cp(const ScanC* c, Py_ssize_t i) noexcept nogil:
    if c.kind == 1:
        return (<const uint8_t*>c.data)[i]
    if c.kind == 2:
        return (<const uint16_t*>c.data)[i]
    return (<const uint32_t*>c.data)[i]


cdef inline bint is_mask_cp(uint32_t cp) noexcept nogil:
    """Symbols people put in place of a character (法*功, f*ck): variants.NOISE_MASKS."""
    if cp < 0x80:       # * _
        return cp == 0x2A or cp == 0x5F
    if cp >= 0xFF00:    # their full-width forms
        return cp == 0xFF0A or cp == 0xFF3F
    # × ○ ● □ ■ ◯ △ ✕ ✖
    return (cp == 0xD7 or cp == 0x25CB or cp == 0x25CF or cp == 0x25A1 or cp == 0x25A0
            or cp == 0x25EF or cp == 0x25B3 or cp == 0x2715 or cp == 0x2716)


cdef inline bint is_word_char(const TablesC* t, uint32_t cp) noexcept nogil:
    return t.word_pages[(<Py_ssize_t>t.word_index[cp >> PAGE_BITS] << PAGE_BITS)
                        | (cp & (PAGE_SIZE - 1))]


cdef inline bint whole_word_ok(const TablesC* t, const ScanC* c, uint8_t flags,
                               Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """A Latin or digit term may not touch a letter or digit (after folding): sex is not in
    Sussex, 69 is not in 695; a CJK neighbour is fine (AV女优)."""
    if flags & TERM_WW_START and start > 0 and is_word_char(t, read_cp(c, start - 1)):
        return False
    if flags & TERM_WW_END and end < c.length and is_word_char(t, read_cp(c, end)):
        return False
    return True


cdef inline bint mask_ok(const ScanC* c, uint8_t flags, Py_ssize_t start) noexcept nogil:
    """A masked form (法功 for 法轮功) counts only where a mask symbol stood in the gap: 法*功,
    not 做法功能 or 法😀功."""
    return not (flags & TERM_MASKED) or c.last_mask > start


cdef inline uint32_t hit_flags(const ScanC* c, Py_ssize_t start) noexcept nogil:
    return ((HIT_SPANS_PUNCT if c.last_punct > start else 0)
            | (HIT_SPANS_NOISE if c.last_noise > start else 0))


cdef inline bint needs_verification(const TablesC* t, uint32_t term_id, uint32_t flags) noexcept nogil:
    """A hit across a separator is always checked; a boundary-verified term is checked unless
    the hit had to skip symbols, emoji or invisible characters (the mark of a disguise)."""
    if t.term_flags[term_id] & TERM_MASKED:
        # It had to span a mask symbol (法*功): a disguise, like other noise; a separator in
        # it as well is checked like in any other hit.
        return flags & HIT_SPANS_PUNCT
    return (flags & HIT_SPANS_PUNCT) or (
        (t.term_flags[term_id] & TERM_VERIFY) and not (flags & HIT_SPANS_NOISE))


cdef inline void emit(const TablesC* t, ScanC* c, uint32_t term_id, uint32_t flags,
                      Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef HitC h
    if c.counted != NULL and not t.has_allow and not needs_verification(t, term_id, flags) and not (
            t.term_flags[term_id] & (TERM_ALLOW | TERM_HIDDEN | TERM_MASKED)):
        # Nothing after the scan can take this hit back: count it and keep no record, so
        # count() needs no memory growing with the hits (大 x 10**7).
        c.counted[0] += 1
        return
    h.term_id = term_id
    h.flags = flags
    h.start = start
    h.end = end
    c.hits.push_back(h)
    if c.hit_cap and c.hits.size() >= c.hit_cap:
        # contains()/count(): too many hits awaiting a decision; the caller goes on with a
        # stream, whose memory is bounded whatever the text.
        c.overflow = True
        c.done = True
        return
    # Stop early only on a hit nothing can take back: not an allow or rule operand, not one
    # awaiting verification, and no allow entry could still cover it.
    if c.first_only and not t.has_allow and not needs_verification(t, term_id, flags) and not (
            t.term_flags[term_id] & (TERM_ALLOW | TERM_HIDDEN)):
        c.done = True


cdef void settle(const TablesC* t, ScanC* c, Py_ssize_t earliest_future_start) noexcept nogil:
    """Leftmost-longest: report, greedily, every pending hit that no later hit can beat: the
    leftmost (then longest, then lowest term id) of those starting before any future hit can."""
    cdef vector[PendingC]* p = c.pending
    cdef size_t i, best, kept
    cdef bint found
    while not c.done:
        found = False
        best = 0
        for i in range(p.size()):
            if p[0][i].start_n < c.last_end_n or p[0][i].start_n >= earliest_future_start:
                continue
            if not found or p[0][i].start_n < p[0][best].start_n or (
                    p[0][i].start_n == p[0][best].start_n and (
                        p[0][i].end_n > p[0][best].end_n or (p[0][i].end_n == p[0][best].end_n
                                                              and p[0][i].term_id < p[0][best].term_id))):
                best = i
                found = True
        if not found:
            break
        c.last_end_n = p[0][best].end_n
        emit(t, c, p[0][best].term_id, p[0][best].flags, p[0][best].start, p[0][best].end)
    # Drop what can no longer be reported.
    kept = 0
    for i in range(p.size()):
        if p[0][i].start_n >= c.last_end_n:
            p[0][kept] = p[0][i]
            kept += 1
    p.resize(kept)


cdef inline void reset(const TablesC* t, ScanC* c) noexcept nogil:
    c.state = 0
    if t.leftmost_longest and c.pending.size():
        settle(t, c, c.n)


cdef inline bint has_edge(const TablesC* t, uint32_t s, uint32_t a) noexcept nogil:
    """Whether state `s` has a goto edge for `a` itself (no failure links)."""
    cdef uint32_t k
    for k in range(t.states[s].edge_begin, t.states[s + 1].edge_begin):
        if t.edges[k].sym == a:
            return True
    return False


cdef inline bint is_stutter(const TablesC* t, const ScanC* c, uint32_t sym,
                            Py_ssize_t pos) noexcept nogil:
    """A repeated character inside a partial match that cannot take it (法法轮轮功): read it as
    a stutter, not a new start. A term that doubles it (时时彩) has the edge and takes it.
    Latin letters and digits never collapse: 11 is not 1, good is not god. A stutter spends the
    same budget as skipped noise (`max_gap`); past it the character is read as a new start, so
    a hit's span stays bounded (法 repeated 10**8 times ends no span 10**8 long, and a stream
    need not keep that much text)."""
    return (t.collapse_repeats and sym == c.prev_sym and c.state != 0 and c.gap < t.max_gap
            and not has_edge(t, c.state, sym) and not is_word_char(t, read_cp(c, pos)))


cdef inline void report(const TablesC* t, ScanC* c, Py_ssize_t pos) noexcept nogil:
    """The terms ending in the current state, its last symbol read at original position `pos`:
    emitted (overlapping) or held as pending (leftmost-longest, settled as far as possible)."""
    cdef const StateC* st = &t.states[c.state]
    cdef uint32_t k, term_id
    cdef uint8_t flags
    cdef Py_ssize_t start_n, start
    if not t.leftmost_longest:
        for k in range(st.out_begin, st[1].out_begin):
            term_id = t.outs[k]
            start = c.ring[(c.n - t.term_len[term_id]) & c.mask]
            flags = t.term_flags[term_id]
            if flags & (TERM_WW_START | TERM_WW_END | TERM_MASKED) and not (
                    whole_word_ok(t, c, flags, start, pos + 1) and mask_ok(c, flags, start)):
                continue
            emit(t, c, term_id, hit_flags(c, start), start, pos + 1)
            if c.done:
                return
        return
    cdef PendingC h
    for k in range(st.out_begin, st[1].out_begin):
        term_id = t.outs[k]
        start_n = c.n - t.term_len[term_id]
        if start_n < c.last_end_n:
            continue    # overlaps a reported hit
        start = c.ring[start_n & c.mask]
        flags = t.term_flags[term_id]
        if flags & (TERM_WW_START | TERM_WW_END | TERM_MASKED) and not (
                whole_word_ok(t, c, flags, start, pos + 1) and mask_ok(c, flags, start)):
            continue
        h.term_id = term_id
        h.flags = hit_flags(c, start)
        h.start = start
        h.end = pos + 1
        h.start_n = start_n
        h.end_n = c.n
        c.pending.push_back(h)
    # Every hit from here on starts at symbol n - depth or later.
    if c.pending.size():
        settle(t, c, c.n - st.depth)


cdef inline bint must_report(const TablesC* t, const ScanC* c, uint32_t s) noexcept nogil:
    """Whether entering state `s` needs report(): terms end there, or (leftmost-longest) held
    hits may now be settled."""
    return t.states[s].out_begin != t.states[s + 1].out_begin or (
        t.leftmost_longest and c.pending.size() != 0)


cdef inline void feed(const TablesC* t, ScanC* c, uint32_t sym, Py_ssize_t pos) noexcept nogil:
    """Step the automaton by one term symbol read at original position `pos`. (scan_range
    inlines the common case of this with the scan state in registers: keep the two alike.)"""
    if is_stutter(t, c, sym, pos):
        c.gap += 1
        return
    c.prev_sym = sym
    c.state = next_state(t, c.state, sym)
    c.ring[c.n & c.mask] = pos
    c.n += 1
    c.gap = 0
    if must_report(t, c, c.state):
        report(t, c, pos)


cdef inline void scan_init(const TablesC* t, ScanC* c, vector[PendingC]* pending,
                           Py_ssize_t* ring, Py_ssize_t cap, bint first_only) noexcept nogil:
    c.state = 0
    c.prev_sym = 0
    c.n = 0
    c.gap = 0
    c.first_only = first_only
    c.done = False
    c.counted = NULL
    c.hit_cap = 0
    c.overflow = False
    c.pending = pending
    c.last_end_n = 0
    c.last_punct = -1
    c.last_noise = -1
    c.last_mask = -1
    c.ring = ring
    c.mask = cap - 1


cdef inline Py_ssize_t ring_capacity(const TablesC* t) noexcept nogil:
    """Ring slots for the longest term: a power of two, so a position is `n & mask`."""
    cdef Py_ssize_t cap = 1
    while cap < <Py_ssize_t>t.max_depth:
        cap <<= 1
    return cap


cdef void step_other(const TablesC* t, ScanC* c, uint32_t cp, Py_ssize_t i,
                     int32_t code) noexcept nogil:
    """Code point `cp` at `i` when it is not the plain next symbol of a match: noise, a
    separator, a character in no term, an expansion, a stutter, or any symbol in
    leftmost-longest mode. Kept out of line (see scan_range)."""
    cdef uint32_t k, e_end
    if code > 0:
        feed(t, c, <uint32_t>code, i)
    elif code == CODE_NOISE or code == CODE_PUNCT:
        if c.state != 0:
            if code == CODE_PUNCT:
                c.last_punct = i
            else:
                c.last_noise = i
            if t.has_masked and is_mask_cp(cp):
                c.last_mask = i
            c.gap += 1
            if c.gap > t.max_gap:
                reset(t, c)
    elif code == CODE_OTHER:
        if c.state != 0 or c.pending.size():
            reset(t, c)
    else:
        # One code point folds to several (⑩ -> 1 0): feed each, all at this position.
        k = t.exp_begin[-3 - code]
        e_end = t.exp_begin[-2 - code]
        while k < e_end and not c.done:
            if t.exp_syms[k] == 0:
                reset(t, c)
            else:
                feed(t, c, t.exp_syms[k], i)
            k += 1


# The hot loop below calls these through pointers: GCC would otherwise inline them (it
# inlines large static functions at the limits setup.py sets), and their code in the loop's
# body costs the loop its registers (the scan state spilled to the stack on every code point).
ctypedef void (*step_other_fn)(const TablesC*, ScanC*, uint32_t, Py_ssize_t, int32_t) noexcept nogil
ctypedef void (*report_fn)(const TablesC*, ScanC*, Py_ssize_t) noexcept nogil
cdef step_other_fn step_other_out_of_line = step_other
cdef report_fn report_out_of_line = report


cdef inline void store_scan(ScanC* c, uint32_t state, uint32_t prev, Py_ssize_t n,
                            int gap) noexcept nogil:
    """Write scan_range's register copy of the scan state back to `c`."""
    c.state = state
    c.prev_sym = prev
    c.n = n
    c.gap = gap


cdef void scan_range(const TablesC* t, ScanC* c, const char_t* data, Py_ssize_t begin,
                     Py_ssize_t end) noexcept nogil:
    """Step the scan over data[begin:end]; `c` carries the state across calls (a stream).

    Most code points are either a term symbol that moves the automaton to a state where no
    term ends, or (overlapping mode) a character in no term: both are handled here with the
    scan state in locals, which the compiler keeps in registers (stores through `c` could alias
    the tables and force reloads). Anything else writes the locals back and takes the general
    path (step_other, report)."""
    cdef const uint32_t* page_index = t.page_index
    cdef const int32_t* pages = t.pages
    cdef Py_ssize_t* ring = c.ring
    cdef Py_ssize_t mask = c.mask
    cdef bint collapse = t.collapse_repeats
    cdef bint overlapping = not t.leftmost_longest
    cdef uint32_t state = c.state, prev = c.prev_sym, cp
    cdef Py_ssize_t n = c.n
    cdef int gap = c.gap
    cdef int32_t code
    cdef Py_ssize_t i = begin
    while i < end:
        cp = data[i]
        code = code_in(page_index, pages, cp)
        if code > 0 and not (collapse and <uint32_t>code == prev and state != 0):
            # feed(), inlined: is_stutter() is false unless the symbol repeats.
            prev = <uint32_t>code
            state = next_state(t, state, prev)
            ring[n & mask] = i
            n += 1
            gap = 0
            if must_report(t, c, state):
                store_scan(c, state, prev, n, gap)
                report_out_of_line(t, c, i)
                if c.done:
                    return
        elif code == CODE_OTHER and overlapping:
            state = 0
        else:
            store_scan(c, state, prev, n, gap)
            step_other_out_of_line(t, c, cp, i, code)
            if c.done:
                return
            state = c.state
            prev = c.prev_sym
            n = c.n
            gap = c.gap
        i += 1
    store_scan(c, state, prev, n, gap)


cdef Py_ssize_t scan(const TablesC* t, const char_t* data, Py_ssize_t length,
                     bint first_only, vector[HitC]* hits, Py_ssize_t* counted=NULL,
                     size_t hit_cap=0) noexcept nogil:
    """Scan one buffer; append hits to `hits` (with `counted`, only those that still need a
    decision: the rest are counted there). Returns 0; 1 when it stopped at `hit_cap` hits; -1
    when the ring cannot be allocated."""
    cdef ScanC c
    cdef vector[PendingC] pending
    cdef Py_ssize_t stack_ring[STACK_RING]
    cdef Py_ssize_t* ring = stack_ring
    cdef Py_ssize_t cap = ring_capacity(t)
    if cap > STACK_RING:
        ring = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
        if ring == NULL:
            return -1
    scan_init(t, &c, &pending, ring, cap, first_only)
    c.counted = counted
    c.hit_cap = hit_cap
    c.hits = hits
    c.data = data
    c.kind = sizeof(char_t)
    c.length = length
    scan_range(t, &c, data, 0, length)
    if not c.done and t.leftmost_longest:
        settle(t, &c, c.n + 1)
    if ring != stack_ring:
        free(ring)
    return 1 if c.overflow else 0


cdef struct TextRefC:
    const void* data
    int kind
    Py_ssize_t length


cdef struct BatchC:
    const TablesC* t
    const TextRefC* texts
    vector[HitC]* results
    int failed              # a ring allocation failed somewhere


cdef void _scan_one(void* ctx, size_t i) noexcept nogil:
    cdef BatchC* b = <BatchC*>ctx
    cdef const TextRefC* r = &b.texts[i]
    cdef Py_ssize_t rc
    if r.length == 0:
        return
    if r.kind == 1:
        rc = scan(b.t, <const uint8_t*>r.data, r.length, False, &b.results[i])
    elif r.kind == 2:
        rc = scan(b.t, <const uint16_t*>r.data, r.length, False, &b.results[i])
    else:
        rc = scan(b.t, <const uint32_t*>r.data, r.length, False, &b.results[i])
    if rc < 0:
        b.failed = 1


# --------------------------------------------------------------------------------------------
# Public classes
# --------------------------------------------------------------------------------------------

_SEVERITY_NAMES = (None, "block", "review", "notice")

cdef enum:
    # What a stream keeps on the left of the earliest hit still to come: the verification
    # window (verify.WINDOW + 4 characters) and the whole-word rule's look-behind (1 character).
    STREAM_KEEP = 21
    # What verification reads on the right of a hit (verify.WINDOW + 4).
    VERIFY_REACH = 20
    # contains()/count() hold at most this many undecided hits (32 bytes each) before they go
    # on with a stream fed this many code points at a time: memory bounded whatever the text.
    HELD_HITS_CAP = 1 << 16
    STREAM_CHUNK = 1 << 14
    # find_many hands out messages to its threads this many at a time.
    BATCH_CHUNK = 64
    # Shorter texts are scanned without releasing the GIL (see Sieve._scan).
    NOGIL_MIN_LENGTH = 512

cdef size_t held_hits_cap = HELD_HITS_CAP


def _set_held_hits_cap(size_t cap):
    """Tests only: lower the cap so that short texts take the streamed path of contains()
    and count() too (1: any held hit). Returns the previous cap."""
    global held_hits_cap
    old = held_hits_cap
    held_hits_cap = cap if cap else HELD_HITS_CAP
    return old



@cython.freelist(256)
@cython.final
cdef class Match:
    """One hit: lexicon entry `term_id` found at ``text[start:end]`` (code-point offsets into
    the original string; the span starts and ends on a term character).

    Examples
    --------
    >>> import hansieve
    >>> m = hansieve.compile(["法轮功"]).first("他說法輪功")
    >>> m.term, m.start, m.end
    ('法轮功', 2, 5)
    """

    def __init__(self, *args, **kwargs):
        raise TypeError("Match objects are created by Sieve scans")

    @property
    def term(self) -> str:
        """The lexicon term as written (for a combination rule, the rule, e.g. ``A&B``)."""
        return self._sieve._text(self.term_id)

    @property
    def category(self):
        cdef uint8_t i = self._sieve._category_idx[self.term_id]
        return self._sieve._category_names[i - 1] if i else None

    @property
    def severity(self):
        return _SEVERITY_NAMES[self._sieve._severity_idx[self.term_id]]

    @property
    def span(self) -> tuple:
        return (self.start, self.end)

    @property
    def mechanism(self) -> str:
        """How the hit was found: ``"exact"`` (the term, folded), or the variant mechanism
        (``"pinyin"``, ``"homophone"``, ...) of the variant spelling that matched."""
        return self._sieve._mechanism_names[self._sieve._mechanism_idx[self._entry]]

    @property
    def via(self) -> str:
        """The lexicon entry that matched: the term itself, or the variant spelling of it."""
        return self._sieve._text(self._entry)

    def __repr__(self):
        return f"Match(term={self.term!r}, start={self.start}, end={self.end})"

    def __eq__(self, other):
        if not isinstance(other, Match):
            return NotImplemented
        cdef Match o = <Match>other
        return (self.term_id == o.term_id and self.start == o.start and self.end == o.end
                and self.term == o.term)

    def __hash__(self):
        return hash((self.term, self.start, self.end))

    def __reduce__(self):
        # A Match pickles as its plain fields: enough for results sent between processes.
        return (_plain_match, (self.term_id, self.start, self.end, self.term, self.category,
                               self.severity))


#: The action for each severity of _SEVERITY_NAMES: the strongest among a message's hits
#: decides; "pass" without hits, and a "notice" hit is logged but passes. verify.ACTIONS is
#: derived from this table (one policy for check() and verify.verdict()).
_ACTION_OF_RANK = ("pass", "block", "review", "pass")


@cython.freelist(64)
@cython.final
cdef class Verdict:
    """What to do with one message: the result of :meth:`Sieve.check`.

    Immutable. Native rather than a dataclass: a message is checked in about a microsecond,
    and a frozen dataclass took longer to build than the scan (one ``object.__setattr__``
    per field).

    Attributes
    ----------
    action : str
        ``"block"``, ``"review"`` or ``"pass"`` (a ``"notice"`` hit is logged but passes).
    severity : str or None
        The strongest severity among the hits (``block`` > ``review`` > ``notice``; a term
        without a severity counts as ``block``), None without hits.
    categories : tuple of str
        The categories of the hits, sorted.
    matches : list of Match

    Examples
    --------
    >>> import hansieve
    >>> hansieve.Verdict("pass", None, (), [])
    Verdict(action='pass', severity=None, categories=(), matches=[])
    """

    def __init__(self, str action, severity, categories, matches):
        self.action = action
        self.severity = severity
        self.categories = tuple(categories)
        self.matches = matches if type(matches) is list else list(matches)

    @property
    def flagged(self) -> bool:
        """Whether the message has any hit (a ``"notice"`` hit is flagged but passes)."""
        return bool(self.matches)

    def __repr__(self):
        return (f"Verdict(action={self.action!r}, severity={self.severity!r}, "
                f"categories={self.categories!r}, matches={self.matches!r})")

    def __eq__(self, other):
        if not isinstance(other, Verdict):
            return NotImplemented
        cdef Verdict o = <Verdict>other
        return (self.action == o.action and self.severity == o.severity
                and self.categories == o.categories and self.matches == o.matches)

    def __hash__(self):
        return hash((self.action, self.severity, self.categories, tuple(self.matches)))

    def __reduce__(self):
        return (Verdict, (self.action, self.severity, self.categories, self.matches))


cdef inline Verdict _new_verdict(str action, object severity, tuple categories, list matches):
    cdef Verdict v = Verdict.__new__(Verdict)
    v.action = action
    v.severity = severity
    v.categories = categories
    v.matches = matches
    return v


def _plain_match(term_id, start, end, term, category, severity):
    import types
    return types.SimpleNamespace(term_id=term_id, start=start, end=end, term=term,
                                 category=category, severity=severity)


cdef inline void _check_text(object text) except *:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")


cdef void index_spans(vector[pair[Py_ssize_t, Py_ssize_t]]& spans) noexcept:
    """Sort (start, end) spans by start and turn each end into the largest end so far, so that
    covered() answers with one binary search (a message with n allow hits and n deny hits
    costs n log n, not n**2: 真是大麻烦。 repeated 10**7 times)."""
    cdef size_t i
    sort(spans.begin(), spans.end())
    for i in range(1, spans.size()):
        if spans[i].second < spans[i - 1].second:
            spans[i].second = spans[i - 1].second


cdef inline bint covered(const vector[pair[Py_ssize_t, Py_ssize_t]]& spans,
                         const HitC& h) noexcept:
    return covers(spans, h.start, h.end)


cdef bint covers(const vector[pair[Py_ssize_t, Py_ssize_t]]& spans, Py_ssize_t start,
                 Py_ssize_t end) noexcept:
    """Whether a span indexed by index_spans() starts at or before `start` and ends at or
    after `end`."""
    cdef size_t lo = 0, hi = spans.size(), mid
    while lo < hi:          # the number of spans starting at or before `start`
        mid = (lo + hi) >> 1
        if spans[mid].first <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo > 0 and spans[lo - 1].second >= end


cdef vector[pair[Py_ssize_t, Py_ssize_t]] indexed(list spans):
    """A stream's (start, end) tuples as an index_spans() index."""
    cdef vector[pair[Py_ssize_t, Py_ssize_t]] v
    for a, b in spans:
        v.push_back(pair[Py_ssize_t, Py_ssize_t](a, b))
    index_spans(v)
    return v


@cython.final
cdef class Sieve:
    """An immutable, thread-safe keyword matcher made by :func:`hansieve.compile` or
    :func:`hansieve.load`.

    Scans of texts of 512 code points or more release the GIL (shorter ones take about a
    microsecond, less than a GIL hand-over costs); one Sieve may be shared by any number of
    threads. For many short messages on all cores use :meth:`find_many`.
    """

    def __cinit__(self):
        # Null every pointer before anything can fail, so a half-built Sieve scans nothing.
        self._t.n_states = 0
        self._t.edge_filter = NULL
        self._edge_filter = NULL
        self._t.page_index = NULL
        self._t.pages = NULL
        self._t.states = NULL
        self._text_offsets = NULL
        self._text_blob = NULL
        self._category_idx = NULL
        self._severity_idx = NULL
        self._base_of = NULL
        self._mechanism_idx = NULL
        self._n_entries = 0
        self._buffers = ()
        self._verifier = None
        self._rules = None

    def __dealloc__(self):
        free(self._edge_filter)

    def __init__(self, *args, **kwargs):
        raise TypeError("use hansieve.compile() or hansieve.load() to make a Sieve")

    # ---- scanning -------------------------------------------------------------------------

    cdef Py_ssize_t _scan(self, object text, bint first_only, vector[HitC]* hits,
                          Py_ssize_t* counted=NULL, size_t hit_cap=0) except -1:
        """Raw automaton hits (allow and rule-operand hits included); see scan() for `counted`
        and `hit_cap`. Returns 1 when the scan stopped at `hit_cap` hits, else 0."""
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text)
        cdef int kind
        cdef void* data
        cdef Py_ssize_t rc = 0
        if self._t.n_states == 0 or length == 0:
            return 0
        PyUnicode_READY(text)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        if length < NOGIL_MIN_LENGTH:
            # A chat message scans in about a microsecond: releasing and taking back the GIL
            # would cost a third of that (~300 instructions), and no other thread waits long.
            rc = self._scan_data(kind, data, length, first_only, hits, counted, hit_cap)
        else:
            # `text` stays referenced by the caller, and str is immutable: safe to read without
            # the GIL.
            with nogil:
                rc = self._scan_data(kind, data, length, first_only, hits, counted, hit_cap)
        if rc < 0:
            raise MemoryError("hansieve: cannot allocate the position ring for this lexicon")
        return rc

    cdef inline Py_ssize_t _scan_data(self, int kind, const void* data, Py_ssize_t length,
                                      bint first_only, vector[HitC]* hits, Py_ssize_t* counted,
                                      size_t hit_cap) noexcept nogil:
        if kind == 1:
            return scan(&self._t, <const uint8_t*>data, length, first_only, hits, counted, hit_cap)
        if kind == 2:
            return scan(&self._t, <const uint16_t*>data, length, first_only, hits, counted, hit_cap)
        return scan(&self._t, <const uint32_t*>data, length, first_only, hits, counted, hit_cap)

    cdef int _finish(self, object text, vector[HitC]& hits) except -1:
        """Turn raw hits into reported hits, in place: allowlist precedence, rule operands
        set aside, boundary verification, combination rules. Clean messages never get here."""
        cdef const uint8_t* flags = self._t.term_flags
        cdef HitC h
        cdef size_t i, j, kept = 0
        cdef bint special = False
        for h in hits:
            if h.flags or flags[h.term_id] & (TERM_ALLOW | TERM_HIDDEN | TERM_VERIFY | TERM_MASKED):
                special = True
                break
        # (h.flags alone marks nothing to do unless the hit needs verification, see below)
        if not special:
            return 0
        cdef vector[pair[Py_ssize_t, Py_ssize_t]] allow, strong
        operands = [] if self._rules is not None else None
        for h in hits:
            if flags[h.term_id] & TERM_ALLOW:
                allow.push_back(pair[Py_ssize_t, Py_ssize_t](h.start, h.end))
            elif self._t.has_masked and not flags[h.term_id] & (TERM_HIDDEN | TERM_MASKED):
                strong.push_back(pair[Py_ssize_t, Py_ssize_t](h.start, h.end))
        index_spans(allow)
        index_spans(strong)
        pending = []
        for i in range(hits.size()):
            h = hits[i]
            if flags[h.term_id] & TERM_ALLOW:
                continue
            if flags[h.term_id] & TERM_HIDDEN:
                # Operands are verified like terms: 百家乐 across 数百家，乐此 is no operand.
                if operands is not None and not (needs_verification(&self._t, h.term_id, h.flags)
                                                 and self._verifier is not None
                                                 and not self._verifier(text, [(h.term_id, h.start, h.end)])[0]):
                    operands.append((h.term_id, h.start, h.end))
                continue
            # A deny hit whose span lies inside an allow hit's span is dropped; so is a masked
            # form inside a hit that read the mask as noise (法*輪*功 is 法轮功, not 轮子功).
            if flags[h.term_id] & TERM_MASKED and covered(strong, h):
                continue
            if not covered(allow, h):
                if needs_verification(&self._t, h.term_id, h.flags) and self._verifier is not None:
                    pending.append(kept)
                hits[kept] = h
                kept += 1
        hits.resize(kept)
        if pending:
            keep = self._verifier(text, [(hits[i].term_id, hits[i].start, hits[i].end)
                                         for i in pending])
            dropped = {pending[k] for k, ok in enumerate(keep) if not ok}
            if dropped:
                kept = 0
                for i in range(hits.size()):
                    if i not in dropped:
                        hits[kept] = hits[i]
                        kept += 1
                hits.resize(kept)
        if operands:
            for term_id, start, end in self._rules(operands):
                h.term_id = term_id
                h.flags = 0
                h.start = start
                h.end = end
                hits.push_back(h)
        return 0

    cdef list _to_matches(self, vector[HitC]& hits):
        cdef list out = []
        cdef Match m
        cdef HitC h
        cdef const uint32_t* base_of = self._base_of
        for h in hits:
            m = Match.__new__(Match)
            m.term_id = base_of[h.term_id]
            m._entry = h.term_id
            m.start = h.start
            m.end = h.end
            m._sieve = self
            out.append(m)
        return out

    cdef list _find(self, object text):
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, False, &hits)
        if hits.size():
            self._finish(text, hits)
        return self._to_matches(hits)

    cdef Verdict _verdict(self, list matches):
        """verify.verdict() of this Sieve's matches, from its severity and category tables."""
        if not matches:
            return _new_verdict("pass", None, (), matches)
        cdef Match m
        cdef int rank = 4, r
        cdef uint8_t c
        cdef uint64_t seen[4]
        seen[0] = seen[1] = seen[2] = seen[3] = 0
        for m in matches:
            r = self._severity_idx[m.term_id] or 1      # no severity counts as block
            if r < rank:
                rank = r
            c = self._category_idx[m.term_id]
            if c:
                seen[c >> 6] |= (<uint64_t>1) << (c & 63)
        cdef list names = []
        cdef int i
        for i in range(1, 256):
            if seen[i >> 6] >> (i & 63) & 1:
                names.append(self._category_names[i - 1])
        names.sort()
        return _new_verdict(_ACTION_OF_RANK[rank], _SEVERITY_NAMES[rank], tuple(names),
                            matches)

    def find(self, text):
        """All hits in `text`, as a list of :class:`Match` ordered by end (then longest first);
        in leftmost-longest mode, the non-overlapping hits ordered by start. Hits of
        combination rules follow the term hits.

        >>> import hansieve
        >>> s = hansieve.compile(["六四", "fuck"])
        >>> [(m.term, m.start, m.end) for m in s.find("六 四 ｆｕｃｋ")]
        [('六四', 0, 3), ('fuck', 4, 8)]
        """
        return self._find(text)

    def find_many(self, texts, int threads=0):
        """:meth:`find` for many messages: one list of matches per message, in input order.

        The messages are scanned by `threads` native threads (0: one per CPU) with the GIL
        released; only messages with hits come back to Python for verification and Match
        objects. Results equal ``[self.find(t) for t in texts]``.

        >>> import hansieve
        >>> s = hansieve.compile(["法轮功", "六四"])
        >>> [[m.term for m in ms] for ms in s.find_many(["法輪功", "", "六 四", "ok"], threads=2)]
        [['法轮功'], [], ['六四'], []]
        """
        cdef list items = list(texts)
        cdef size_t n = len(items), i
        cdef vector[TextRefC] refs = vector[TextRefC](n)
        cdef vector[vector[HitC]] results = vector[vector[HitC]](n)
        cdef BatchC batch
        if threads < 0:
            raise ValueError(f"[E102] threads must be >= 0, got {threads}")
        if threads == 0:
            import os
            threads = os.cpu_count() or 1
        for i in range(n):
            text = items[i]
            _check_text(text)
            PyUnicode_READY(text)
            refs[i].data = PyUnicode_DATA(text)
            refs[i].kind = PyUnicode_KIND(text)
            refs[i].length = PyUnicode_GET_LENGTH(text)
        batch.t = &self._t
        batch.texts = refs.data()
        batch.results = results.data()
        batch.failed = 0
        cdef list out = [None] * n
        if self._t.n_states == 0 or n == 0:
            for i in range(n):
                out[i] = []
            return out
        cdef hs_batch* b = NULL
        cdef size_t c = 0, begin, end
        # `items` holds every str, and str is immutable: safe to read without the GIL.
        with nogil:
            b = hs_batch_start(_scan_one, &batch, n, BATCH_CHUNK,
                               threads if <size_t>threads < n else <int>n)
        try:
            while c < b.n_chunks:
                if not hs_batch_ready(b, c):
                    # Scan a chunk ourselves, or wait for the one a worker is scanning.
                    with nogil:
                        if not hs_batch_step(b):
                            hs_batch_wait(b, c)
                    continue
                # The serial part (verification, rules, Match objects), while the workers
                # scan on: only messages with raw hits need it.
                begin = c * BATCH_CHUNK
                end = begin + BATCH_CHUNK if begin + BATCH_CHUNK < n else n
                for i in range(begin, end):
                    if results[i].size():
                        self._finish(items[i], results[i])
                        out[i] = self._to_matches(results[i])
                    else:
                        out[i] = []
                c += 1
        finally:
            with nogil:
                hs_batch_finish(b)
        if batch.failed:
            raise MemoryError("hansieve: cannot allocate the position ring for this lexicon")
        return out

    def check_many(self, texts, int threads=0):
        """:meth:`check` for many messages (see :meth:`find_many`)."""
        return [self._verdict(ms) for ms in self.find_many(texts, threads)]

    def contains(self, text) -> bool:
        """Whether `text` has any hit; stops at the first one nothing can take back. Memory
        stays bounded whatever the text (hits an allowlist entry or verification may still
        take back are decided as the scan passes once there are many of them).

        >>> import hansieve
        >>> hansieve.compile(["法轮功"]).contains("法*輪*功")
        True
        """
        _check_text(text)
        cdef vector[HitC] hits
        if self._scan(text, True, &hits, NULL, held_hits_cap):
            # A text full of hits an allow entry or verification may still take back (真是大麻烦
            # x 10**7): rather than hold them all, go on with a stream, which decides them as
            # the scan passes and holds a bounded tail.
            return self._streamed(text, True) > 0
        if hits.size():
            self._finish(text, hits)
        return hits.size() > 0

    cdef Py_ssize_t _streamed(self, object text, bint first_only) except -1:
        """Hits of `text` through a Stream fed STREAM_CHUNK code points at a time (bounded
        memory); with `first_only`, 1 at the first chunk that yields one."""
        cdef Stream st = Stream._new(self)
        cdef Py_ssize_t i, n = len(text), total = 0
        for i in range(0, n, STREAM_CHUNK):
            total += len(st.feed(text[i:i + STREAM_CHUNK]))
            if first_only and total:
                return 1
        return total + len(st.close())

    def first(self, text):
        """The first hit :meth:`find` would return, or None; stops scanning there when it can."""
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, True, &hits)
        if hits.size():
            self._finish(text, hits)
        if hits.size() == 0:
            return None
        return self._to_matches(hits)[0]

    def count(self, text) -> int:
        """``len(self.find(text))`` without building the Match objects; memory bounded as in
        :meth:`contains`."""
        _check_text(text)
        cdef vector[HitC] hits
        cdef Py_ssize_t counted = 0
        if self._scan(text, False, &hits, &counted, held_hits_cap):
            return self._streamed(text, False)     # see contains()
        if hits.size():
            self._finish(text, hits)
        return counted + hits.size()

    def mask(self, text, object char="*") -> str:
        """`text` with every code point inside a hit span replaced by `char` (length kept).

        >>> import hansieve
        >>> hansieve.compile(["法轮功"]).mask("他说法*轮*功。")
        '他说*****。'
        """
        _check_text(text)
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"[E101] mask char must be a single character, got {char!r}")
        cdef vector[HitC] hits
        self._scan(text, False, &hits)
        if hits.size():
            self._finish(text, hits)
        if hits.size() == 0:
            return text
        spans = sorted([(h.start, h.end) for h in hits])
        pieces = []
        cdef Py_ssize_t done = 0, start, end
        for start, end in spans:
            if end <= done:
                continue
            if start > done:
                pieces.append(text[done:start])
                done = start
            pieces.append(char * (end - done))
            done = end
        pieces.append(text[done:])
        return "".join(pieces)

    def check(self, text):
        """The :class:`hansieve.Verdict` for one message: action, strongest severity,
        categories and matches.

        >>> import hansieve
        >>> v = hansieve.compile([hansieve.Term("法轮功", "politics", "block")]).check("法*轮*功")
        >>> v.action, v.categories
        ('block', ('politics',))
        """
        return self._verdict(self._find(text))

    def stream(self):
        """A :class:`Stream` over one long text that arrives in pieces (a model's output,
        a socket): ``feed(chunk)`` returns the hits completed so far, ``close()`` the rest.
        Together they are :meth:`find` on the whole text, with offsets into it.

        >>> import hansieve
        >>> st = hansieve.compile(["法轮功"]).stream()
        >>> st.feed("他说法*"), [(m.term, m.start, m.end) for m in st.feed("輪*功，")]
        ([], [('法轮功', 2, 7)])
        >>> st.feed("还有法轮功"), st.close()     # verified: held until the context is known
        ([], [Match(term='法轮功', start=10, end=13)])
        """
        return Stream._new(self)

    # ---- introspection --------------------------------------------------------------------

    cdef str _text(self, Py_ssize_t i):
        cdef uint32_t a = self._text_offsets[i], b = self._text_offsets[i + 1]
        return self._text_blob[a:b].decode("utf-8", "surrogatepass")

    def __len__(self):
        return self._n_deny

    @property
    def terms(self) -> tuple:
        """The deny terms as written, in term-id order."""
        if self._terms_cache is None:
            self._terms_cache = tuple(self._text(i) for i in range(self._n_deny))
        return self._terms_cache

    def entry(self, Py_ssize_t term_id) -> dict:
        """What the Sieve knows of one term id (deny term, allow entry, rule operand or rule)."""
        if not 0 <= term_id < self._n_entries:
            raise IndexError(f"term id {term_id} out of range")
        cdef uint8_t c = self._category_idx[term_id]
        kind = "deny"
        if term_id >= self._t.n_terms:
            kind = "rule"
        elif self._base_of[term_id] != <uint32_t>term_id:
            kind = "variant"
        elif self._t.term_flags[term_id] & TERM_ALLOW:
            kind = "allow"
        elif self._t.term_flags[term_id] & TERM_HIDDEN:
            kind = "operand"
        extra = self._header.get("extra", {}).get(str(term_id), {})
        return {
            "text": self._text(term_id),
            "kind": kind,
            "category": self._category_names[c - 1] if c else None,
            "severity": _SEVERITY_NAMES[self._severity_idx[term_id]],
            "tags": tuple(extra.get("tags", ())),
            "flags": frozenset(extra.get("flags", ())),
            "base": self._base_of[term_id],
            "mechanism": self._mechanism_names[self._mechanism_idx[term_id]],
        }

    @property
    def max_term_len(self) -> int:
        """Longest folded term, in code points."""
        return self._t.max_depth

    @property
    def options(self) -> dict:
        """The compile options this Sieve was built with (a copy)."""
        return dict(self._header["options"])

    @property
    def header(self) -> dict:
        """Counts, options and lexicon identity, as written in compiled files (a copy)."""
        import copy
        return copy.deepcopy(self._header)

    def memory_usage(self) -> int:
        """Bytes held by the native tables (automaton, outputs, fold table pages, term texts,
        the edge filter built at load)."""
        return sum(len(b) for b in self._buffers[:len(ARRAYS)]) + self._filter_bytes()

    cdef size_t _filter_bytes(self):
        if self._edge_filter == NULL:
            return 0
        return (<size_t>1 << (64 - self._t.filter_shift)) * sizeof(uint64_t)

    def stats(self) -> dict:
        """Sizes of the native tables, for tuning and benchmarks."""
        return {
            "terms": self._t.n_terms,
            "states": self._t.n_states,
            "symbols": self._t.n_syms,
            "max_depth": self._t.max_depth,
            "memory_usage": self.memory_usage(),
            "edge_filter_bytes": self._filter_bytes(),
        }

    def __repr__(self):
        return (f"<hansieve.Sieve terms={self._n_deny} states={self._t.n_states} "
                f"match_kind={self.match_kind}>")

    # ---- persistence ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The compiled file's bytes (see :meth:`save`)."""
        return _serialize(self)

    @classmethod
    def from_bytes(cls, data):
        """A Sieve from :meth:`to_bytes` output (any bytes-like object), validated before use.

        Raises
        ------
        hansieve.FormatError
            Truncated, corrupt, foreign or newer-version data.
        """
        return _deserialize(data, None)

    def save(self, path) -> None:
        """Write the compiled file (atomically: a temporary file renamed into place)."""
        import os
        import tempfile
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".hansieve-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_serialize(self))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def __reduce__(self):
        # Pickle through the compiled-file bytes: versioned and validated on load.
        return (_unpickle, (_serialize(self),))



@cython.final
cdef class Stream:
    """:meth:`Sieve.find` over a text fed in pieces. Made by :meth:`Sieve.stream`.

    ``feed(chunk)`` scans the chunk and returns the hits that nothing later can change:
    offsets are absolute in the whole stream, hits may span chunk boundaries and noise skipped
    across them. A hit is held back only as long as the text after it could still decide it:
    one code point for the whole-word rule, the verification window (20 code points) for a
    hit that needs the word-boundary check, the rest of a partial match that an allowlist
    entry could still cover. ``close()`` flushes the rest, and the hits of combination rules
    that need the whole text (``A~B``, ``A&B/N``; ``A&B`` is reported as soon as both are
    seen). The concatenated results equal ``find()`` on the concatenated chunks, except that
    rule hits come when they are decided rather than last.

    Memory is bounded by the longest term and `max_gap`, not by the stream's length. Chunks
    are ``str``; a surrogate pair split across chunks stays two code points, exactly as in
    ``"".join(chunks)``. A stream is not thread-safe; make one per producer.
    """

    cdef Sieve _sieve
    cdef ScanC _c
    cdef vector[PendingC] _pending
    cdef Py_ssize_t* _ring
    cdef Py_ssize_t _cap
    cdef str _buf           # the text still needed: the stream from `_base` on
    cdef Py_ssize_t _base   # stream offset of _buf[0]
    cdef Py_ssize_t _next   # _buf index of the next code point to scan
    cdef bint _closed
    cdef list _queue        # raw hits awaiting a decision, in scan order: (entry, flags, start, end)
    cdef list _allows       # allowlist spans that may still cover a hit
    cdef list _strong       # spans of deny hits (not masked forms) that may still cover a masked one
    cdef object _rules      # verify.RuleStream, or None
    cdef bint _busy         # a feed is scanning (with the GIL released)
    cdef Py_ssize_t _settled    # no hit still to come starts before this stream offset

    def __cinit__(self):
        self._ring = NULL
        self._busy = False

    def __dealloc__(self):
        free(self._ring)

    def __init__(self, *args, **kwargs):
        raise TypeError("use Sieve.stream() to make a Stream")

    @staticmethod
    cdef Stream _new(Sieve sieve):
        cdef Stream st = Stream.__new__(Stream)
        st._sieve = sieve
        st._cap = ring_capacity(&sieve._t)
        st._ring = <Py_ssize_t*>malloc(st._cap * sizeof(Py_ssize_t))
        if st._ring == NULL:
            raise MemoryError("hansieve: cannot allocate the position ring for this lexicon")
        scan_init(&sieve._t, &st._c, &st._pending, st._ring, st._cap, False)
        st._buf = ""
        st._base = 0
        st._settled = 0
        st._next = 0
        st._closed = False
        st._queue = []
        st._allows = []
        st._strong = []
        if sieve._rules is not None:
            from .verify import RuleStream
            st._rules = RuleStream(sieve._header.get("rules") or [])
        else:
            st._rules = None
        return st

    @property
    def position(self) -> int:
        """Code points fed so far."""
        return self._base + len(self._buf)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def settled(self) -> int:
        """Stream offset before which the text is final: every term hit starting before it has
        been returned, and none still to come starts there (rule hits that need the whole text
        still come at close()). A chat UI can show the text up to here
        and hold back the rest, so no part of a term that will be blocked is ever displayed."""
        return self._settled

    @property
    def buffered(self) -> int:
        """Code points of text the stream still holds (bounded by the longest term, `max_gap`
        and the verification window, whatever the stream's length)."""
        return len(self._buf)

    @property
    def sieve(self):
        """The Sieve this stream scans with (a Reloader's swap does not change it)."""
        return self._sieve

    def feed(self, chunk):
        """Scan `chunk` (the next piece of the text); return the hits decided so far."""
        _check_text(chunk)
        if self._closed:
            raise ValueError("[E106] feed() on a closed Stream")
        if not chunk:
            return []
        self._enter()
        try:
            self._buf = self._buf + chunk if self._buf else chunk
            return self._advance(False)
        finally:
            self._busy = False

    def close(self):
        """End the text; return the hits still held back. A closed stream takes no more."""
        if self._closed:
            return []
        self._enter()
        try:
            self._closed = True
            return self._advance(True)
        finally:
            self._busy = False

    cdef int _enter(self) except -1:
        # The scan runs without the GIL: a second thread feeding the same stream would race on
        # its state. Refuse it instead.
        if self._busy:
            raise RuntimeError("[E107] Stream used by two threads at once; make one per producer")
        self._busy = True
        return 0

    cdef list _advance(self, bint final):
        cdef const TablesC* t = &self._sieve._t
        cdef vector[HitC] hits
        cdef HitC h
        cdef str buf = self._buf
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(buf)
        # One code point of look-ahead stays unscanned: the whole-word rule reads it.
        cdef Py_ssize_t stop = length if final else length - 1
        cdef int kind
        cdef void* data
        cdef ScanC* c = &self._c
        if t.n_states and stop > self._next:
            PyUnicode_READY(buf)
            kind = PyUnicode_KIND(buf)
            data = PyUnicode_DATA(buf)
            c.data = data
            c.kind = kind
            c.length = length
            c.hits = &hits
            with nogil:
                if kind == 1:
                    scan_range(t, c, <const uint8_t*>data, self._next, stop)
                elif kind == 2:
                    scan_range(t, c, <const uint16_t*>data, self._next, stop)
                else:
                    scan_range(t, c, <const uint32_t*>data, self._next, stop)
            self._next = stop
        if final and t.n_states and t.leftmost_longest:
            c.hits = &hits
            settle(t, c, c.n + 1)
        c.hits = NULL
        for h in hits:
            if t.term_flags[h.term_id] & TERM_ALLOW:
                self._allows.append((h.start + self._base, h.end + self._base))
                continue
            if t.has_masked and not t.term_flags[h.term_id] & (TERM_HIDDEN | TERM_MASKED):
                self._strong.append((h.start + self._base, h.end + self._base))
            self._queue.append((h.term_id, h.flags, h.start + self._base, h.end + self._base))
        cdef Py_ssize_t horizon = self._horizon() + self._base
        out = self._decide(horizon, final)
        self._trim(horizon)
        return self._sieve._to_matches(out)

    cdef Py_ssize_t _horizon(self):
        """The earliest _buf index a hit not yet scanned out can start at."""
        cdef const TablesC* t = &self._sieve._t
        cdef ScanC* c = &self._c
        cdef Py_ssize_t h = self._next
        cdef uint32_t d
        cdef PendingC p
        cdef uint32_t state = c.state
        # A state without edges (a whole term read) cannot be extended: what comes next goes
        # through its failure link, so the deepest state on that chain with an edge bounds it.
        while state != 0 and t.states[state].edge_begin == t.states[state + 1].edge_begin:
            state = t.states[state].fail
        if state != 0:
            d = t.states[state].depth
            if c.ring[(c.n - d) & c.mask] < h:
                h = c.ring[(c.n - d) & c.mask]
        for p in self._pending:
            if p.start < h:
                h = p.start
        return h

    cdef vector[HitC] _decide(self, Py_ssize_t horizon, bint final):
        """Settle queued hits in scan order, as Sieve._finish would for the whole text; stop at
        the first one the text still to come could change."""
        cdef const TablesC* t = &self._sieve._t
        cdef vector[HitC] out
        cdef HitC h
        cdef uint32_t entry, flags
        cdef Py_ssize_t start, end, available = self._base + len(self._buf)
        cdef bint check, masked
        verifier = self._sieve._verifier
        queue = self._queue
        # The same span index as Sieve._finish (n log n however many hits a chunk holds).
        cdef vector[pair[Py_ssize_t, Py_ssize_t]] allows = indexed(self._allows)
        cdef vector[pair[Py_ssize_t, Py_ssize_t]] strong = indexed(self._strong)
        done = 0
        for entry, flags, start, end in queue:
            check = verifier is not None and needs_verification(t, entry, flags)
            if check and not final and end + VERIFY_REACH > available:
                break       # the verification window is not all here yet
            if t.term_flags[entry] & TERM_HIDDEN:
                done += 1
                if self._rules is None or (check and not self._verified(entry, start, end)):
                    continue
                for rule_id, r_start, r_end in self._rules.add((entry, start, end)):
                    h.term_id = rule_id
                    h.flags = 0
                    h.start = r_start
                    h.end = r_end
                    out.push_back(h)
                continue
            masked = t.term_flags[entry] & TERM_MASKED
            if not final and (t.has_allow or masked) and start >= horizon:
                break       # an allowlist entry (or a hit) covering it may still come
            done += 1
            if masked and covers(strong, start, end):
                continue
            if covers(allows, start, end):
                continue
            if check and not self._verified(entry, start, end):
                continue
            h.term_id = entry
            h.flags = flags
            h.start = start
            h.end = end
            out.push_back(h)
        del queue[:done]
        if final and self._rules is not None:
            for rule_id, r_start, r_end in self._rules.close():
                h.term_id = rule_id
                h.flags = 0
                h.start = r_start
                h.end = r_end
                out.push_back(h)
        return out

    cdef bint _verified(self, uint32_t entry, Py_ssize_t start, Py_ssize_t end) except -1:
        return self._sieve._verifier(self._buf, [(entry, start - self._base, end - self._base)])[0]

    cdef int _trim(self, Py_ssize_t horizon) except -1:
        """Drop the text and the allowlist spans no hit to come can need."""
        cdef Py_ssize_t low = horizon, keep_from, delta, k
        cdef ScanC* c = &self._c
        cdef size_t i
        for item in self._queue:
            if item[2] < low:
                low = item[2]
        self._settled = self._base + len(self._buf) if self._closed else low
        if self._allows:
            self._allows = [span for span in self._allows if span[1] > low]
        if self._strong:
            self._strong = [span for span in self._strong if span[1] > low]
        if self._rules is not None:
            self._rules.prune(low)
        keep_from = low - STREAM_KEEP
        if self._closed:
            keep_from = self._base + len(self._buf)
        delta = keep_from - self._base
        if delta <= 0:
            return 0
        self._buf = self._buf[delta:]
        self._base = keep_from
        self._next -= delta
        if self._next < 0:
            self._next = 0
        # Positions the scan state holds are _buf indexes: move them with the text.
        for k in range(self._cap):
            c.ring[k] -= delta
        for i in range(self._pending.size()):
            self._pending[i].start -= delta
            self._pending[i].end -= delta
        if c.last_punct >= 0:
            c.last_punct -= delta
        if c.last_noise >= 0:
            c.last_noise -= delta
        if c.last_mask >= 0:
            c.last_mask -= delta
        return 0

    def __repr__(self):
        return f"<hansieve.Stream at {self.position}{' closed' if self._closed else ''}>"





def _unpickle(data):
    return _deserialize(data, None)


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

import json
import mmap

from hansieve.errors import FormatError

cdef bytes _u32(list values):
    cdef vector[uint32_t] v
    for x in values:
        v.push_back(x)
    return _as_bytes(v.data(), v.size() * sizeof(uint32_t))


cdef inline const char* _ptr(bytes b):
    return <const char*>b


cdef bytes _as_bytes(const void* p, size_t n):
    return (<const char*>p)[:n] if n else b""


cdef tuple _paged(vector[int32_t]& dense, size_t itemsize):
    """Split a dense per-code-point table into pages, storing identical pages once.
    Returns (page_index bytes, pages bytes) with entries narrowed to `itemsize` bytes."""
    cdef vector[uint32_t] page_index = vector[uint32_t](N_PAGES, 0)
    cdef vector[uint8_t] narrow
    cdef Py_ssize_t p, k
    seen = {}
    chunks = []
    for p in range(N_PAGES):
        if itemsize == 4:
            page = _as_bytes(&dense[p * PAGE_SIZE], PAGE_SIZE * sizeof(int32_t))
        else:
            narrow.resize(PAGE_SIZE)
            for k in range(PAGE_SIZE):
                narrow[k] = <uint8_t>dense[p * PAGE_SIZE + k]
            page = _as_bytes(narrow.data(), PAGE_SIZE)
        number = seen.get(page)
        if number is None:
            number = seen[page] = len(chunks)
            chunks.append(page)
        page_index[p] = number
    return _as_bytes(page_index.data(), N_PAGES * sizeof(uint32_t)), b"".join(chunks)


def _build_code_table(list sym_pairs, list noise_ranges, list expansions, object punct_cps=()):
    """The per-code-point table as deduplicated pages.

    sym_pairs: (code point, symbol) for every code point that folds to one term character.
    noise_ranges: inclusive (lo, hi) ranges of noise code points.
    punct_cps: noise code points that are sentence punctuation.
    expansions: (code point, [symbol or 0, ...]) for code points that fold to several characters.
    Returns (page_index, pages, exp_begin, exp_syms) as bytes.
    """
    cdef vector[int32_t] dense = vector[int32_t](N_PAGES * PAGE_SIZE, 0)
    cdef vector[uint32_t] exp_begin, exp_syms
    cdef uint32_t cp, lo, hi
    cdef Py_ssize_t k
    for lo, hi in noise_ranges:
        for cp in range(lo, hi + 1):
            dense[cp] = CODE_NOISE
    for cp in punct_cps:
        if dense[cp] == CODE_NOISE:
            dense[cp] = CODE_PUNCT
    for cp, sym in sym_pairs:
        dense[cp] = sym
    exp_begin.push_back(0)
    for k, (cp, syms) in enumerate(expansions):
        dense[cp] = -3 - k
        for sym in syms:
            exp_syms.push_back(sym)
        exp_begin.push_back(exp_syms.size())
    page_index, pages = _paged(dense, 4)
    return (page_index, pages,
            _as_bytes(exp_begin.data(), exp_begin.size() * sizeof(uint32_t)),
            _as_bytes(exp_syms.data(), exp_syms.size() * sizeof(uint32_t)))


def _build_word_table(object word_cps):
    """Paged bitmap (one byte per code point) of the code points that fold to ASCII letters
    or digits, for the whole-word rule. Returns (word_index, word_pages) as bytes."""
    cdef vector[int32_t] dense = vector[int32_t](N_PAGES * PAGE_SIZE, 0)
    cdef uint32_t cp
    for cp in word_cps:
        dense[cp] = 1
    return _paged(dense, 1)


cdef uint32_t _find_edge(const vector[EdgeC]& edges, const vector[BuildStateC]& states, uint32_t s,
                         uint32_t a) noexcept nogil:
    """Build-time goto lookup; returns 0 when state `s` has no edge for `a`."""
    cdef uint32_t lo = states[s].edge_begin, hi = states[s].edge_end, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if edges[mid].sym < a:
            lo = mid + 1
        else:
            hi = mid
    if lo < states[s].edge_end and edges[lo].sym == a:
        return edges[lo].target
    return 0


#: Order of the arrays in a compiled file and in Sieve._buffers.
ARRAYS = ("page_index", "pages", "exp_begin", "exp_syms", "states", "edges", "outs",
          "root_next", "term_len", "term_flags", "word_index", "word_pages", "text_offsets",
          "text_blob", "category_idx", "severity_idx", "base_of", "mechanism_idx")


def _build_sieve(list folded_terms, tuple code_table, tuple word_table, bytes term_flags,
                 list texts, list category_idx, list severity_idx, list base_of,
                 list mechanism_idx, dict header, object match_kind):
    """Build the automaton over `folded_terms` (one per automaton term, already folded and
    non-empty, every character a term symbol of `code_table`) and return the Sieve.

    `texts`, `category_idx` and `severity_idx` cover every entry: the automaton terms, then the
    virtual entries of combination rules. `header` carries the counts and options that a
    compiled file records."""
    page_index_b, pages_b, exp_begin_b, exp_syms_b = code_table
    cdef TablesC probe
    probe.page_index = <const uint32_t*><const char*>page_index_b
    probe.pages = <const int32_t*><const char*>pages_b

    cdef Py_ssize_t n_terms = len(folded_terms)
    cdef unordered_map[uint64_t, uint32_t] child_of
    cdef unordered_map[uint64_t, uint32_t].iterator it
    cdef vector[hs_edge_tmp] tmp_edges
    cdef vector[uint32_t] term_node = vector[uint32_t](n_terms, 0)
    cdef vector[uint32_t] term_len = vector[uint32_t](n_terms, 0)
    cdef uint32_t n_nodes = 1, node, max_depth = 0
    cdef uint64_t key
    cdef hs_edge_tmp te
    cdef Py_ssize_t t, i, length
    cdef int32_t code
    cdef int kind
    cdef void* data
    cdef str term
    if n_terms >= 0xFFFFFFF0 or len(texts) >= 0xFFFFFFF0:
        raise ValueError("[E103] too many terms")

    # 1. The trie, with temporary node ids. At most one node per term character: reserving
    # that much up front spares the hash map its rehashes (a 349k-word build: ~0.1 s).
    cdef size_t n_chars = 0
    for t in range(n_terms):
        term = folded_terms[t]
        n_chars += PyUnicode_GET_LENGTH(term)
    child_of.reserve(n_chars)
    tmp_edges.reserve(n_chars)
    for t in range(n_terms):
        term = folded_terms[t]
        PyUnicode_READY(term)
        kind = PyUnicode_KIND(term)
        data = PyUnicode_DATA(term)
        length = PyUnicode_GET_LENGTH(term)
        node = 0
        for i in range(length):
            if kind == 1:
                code = code_of(&probe, (<const uint8_t*>data)[i])
            elif kind == 2:
                code = code_of(&probe, (<const uint16_t*>data)[i])
            else:
                code = code_of(&probe, (<const uint32_t*>data)[i])
            if code <= 0:
                raise AssertionError(f"term {texts[t]!r}: folded character {term[i]!r} has no symbol")
            key = (<uint64_t>node << 32) | <uint32_t>code
            it = child_of.find(key)
            if it == child_of.end():
                if n_nodes == 0xFFFFFFFF:
                    raise ValueError("[E104] lexicon too large: more than 2**32 automaton states")
                child_of[key] = n_nodes
                te.parent = node
                te.sym = code
                te.child = n_nodes
                tmp_edges.push_back(te)
                node = n_nodes
                n_nodes += 1
            else:
                node = dereference(it).second
        term_node[t] = node
        term_len[t] = length
        if <uint32_t>length > max_depth:
            max_depth = length
    child_of.clear()

    cdef vector[BuildStateC] states
    cdef vector[EdgeC] edges
    cdef vector[uint32_t] outs
    cdef Py_ssize_t n_syms = header["counts"]["n_syms"]
    cdef vector[uint32_t] root_next = vector[uint32_t](n_syms + 1, 0)
    with nogil:
        _layout(tmp_edges, term_node, n_nodes, states, edges, outs)
    cdef uint32_t k
    for k in range(states[0].edge_begin, states[0].edge_end):
        root_next[edges[k].sym] = edges[k].target
    # Pack to 16-byte records, plus the sentinel that ends the last state's runs.
    cdef vector[StateC] packed = vector[StateC](states.size() + 1)
    for k in range(states.size()):
        packed[k].edge_begin = states[k].edge_begin
        packed[k].fail = states[k].fail
        packed[k].out_begin = states[k].out_begin
        packed[k].depth = states[k].depth
    packed[states.size()].edge_begin = edges.size()
    packed[states.size()].fail = 0
    packed[states.size()].out_begin = outs.size()
    packed[states.size()].depth = 0

    # Entry texts as one UTF-8 blob with offsets: decoded only when a Match's term is read.
    encoded = [s.encode("utf-8", "surrogatepass") for s in texts]
    cdef vector[uint32_t] text_offsets
    text_offsets.push_back(0)
    cdef size_t total = 0
    for b in encoded:
        total += len(b)
        if total >= 0xFFFFFFFF:
            raise ValueError("[E105] term texts exceed 4 GiB")
        text_offsets.push_back(total)

    counts = header["counts"]
    counts.update(n_states=states.size(), n_terms=n_terms, n_entries=len(texts),
                  max_depth=max_depth, n_exp=len(exp_begin_b) // 4 - 1)
    arrays = (
        page_index_b, pages_b, exp_begin_b, exp_syms_b,
        _as_bytes(packed.data(), packed.size() * sizeof(StateC)),
        _as_bytes(edges.data(), edges.size() * sizeof(EdgeC)),
        _as_bytes(outs.data(), outs.size() * sizeof(uint32_t)),
        _as_bytes(root_next.data(), root_next.size() * sizeof(uint32_t)),
        _as_bytes(term_len.data(), term_len.size() * sizeof(uint32_t)),
        bytearray(term_flags),      # compile() may still add TERM_VERIFY bits before publishing
        word_table[0], word_table[1],
        _as_bytes(text_offsets.data(), text_offsets.size() * sizeof(uint32_t)),
        b"".join(encoded),
        bytes(category_idx),
        bytes(severity_idx),
        _u32(base_of),
        bytes(mechanism_idx),
    )
    return _attach(arrays, arrays, header, match_kind)


def _add_term_flags(Sieve sv, object term_ids, uint8_t bits):
    """Set flag bits on terms of a Sieve that compile() has not returned yet (its flag array is
    still the builder's bytearray)."""
    flags = sv._buffers[9]
    if not isinstance(flags, bytearray):
        raise TypeError("term flags of a published Sieve cannot change")
    for i in term_ids:
        flags[i] |= bits


def _raw_hits(Sieve sv, str text):
    """The automaton's hits before any verification, as (term_id, start, end)."""
    cdef vector[HitC] hits
    sv._scan(text, False, &hits)
    return [(h.term_id, h.start, h.end) for h in hits]


def _explain_hits(Sieve sv, str text):
    """The automaton's hits before allowlist, verification and rules, with what decides their
    fate (for ``hansieve explain``): one dict per raw hit, in scan order."""
    cdef vector[HitC] hits
    cdef uint8_t tf
    sv._scan(text, False, &hits)
    out = []
    for h in hits:
        tf = sv._t.term_flags[h.term_id]
        out.append({
            "entry": h.term_id,
            "term_id": sv._base_of[h.term_id],
            "start": h.start,
            "end": h.end,
            "role": "allow" if tf & TERM_ALLOW else "operand" if tf & TERM_HIDDEN else "deny",
            "spans_separator": bool(h.flags & HIT_SPANS_PUNCT),
            "spans_noise": bool(h.flags & HIT_SPANS_NOISE),
            "needs_verification": bool(needs_verification(&sv._t, h.term_id, h.flags)
                                       and sv._verifier is not None),
            "masked": bool(tf & TERM_MASKED),
        })
    return out


cdef Sieve _attach(tuple arrays, object owners, dict header, object match_kind):
    """Point a new Sieve at `arrays` (buffer objects, in ARRAYS order) kept alive by `owners`."""
    cdef Sieve sv = Sieve.__new__(Sieve)
    cdef list ptrs = []
    cdef const uint8_t[::1] view
    for a in arrays:
        if len(a) == 0:
            ptrs.append(0)
            continue
        view = a
        ptrs.append(<uintptr_t>&view[0])
    counts = header["counts"]
    sv._t.page_index = <const uint32_t*><uintptr_t>ptrs[0]
    sv._t.pages = <const int32_t*><uintptr_t>ptrs[1]
    sv._t.exp_begin = <const uint32_t*><uintptr_t>ptrs[2]
    sv._t.exp_syms = <const uint32_t*><uintptr_t>ptrs[3]
    sv._t.states = <const StateC*><uintptr_t>ptrs[4]
    sv._t.edges = <const EdgeC*><uintptr_t>ptrs[5]
    sv._t.outs = <const uint32_t*><uintptr_t>ptrs[6]
    sv._t.root_next = <const uint32_t*><uintptr_t>ptrs[7]
    sv._t.term_len = <const uint32_t*><uintptr_t>ptrs[8]
    sv._t.term_flags = <const uint8_t*><uintptr_t>ptrs[9]
    sv._t.word_index = <const uint32_t*><uintptr_t>ptrs[10]
    sv._t.word_pages = <const uint8_t*><uintptr_t>ptrs[11]
    sv._text_offsets = <const uint32_t*><uintptr_t>ptrs[12]
    sv._text_blob = <const char*><uintptr_t>ptrs[13]
    sv._category_idx = <const uint8_t*><uintptr_t>ptrs[14]
    sv._severity_idx = <const uint8_t*><uintptr_t>ptrs[15]
    sv._base_of = <const uint32_t*><uintptr_t>ptrs[16]
    sv._mechanism_idx = <const uint8_t*><uintptr_t>ptrs[17]
    sv._mechanism_names = tuple(header["mechanisms"])
    sv._t.n_syms = counts["n_syms"]
    sv._t.n_terms = counts["n_terms"]
    sv._t.max_depth = counts["max_depth"]
    sv._t.max_gap = header["options"]["max_gap"]
    sv._t.leftmost_longest = header["options"]["match_kind"] == "leftmost_longest"
    sv._t.has_allow = counts["n_allow"] > 0
    sv._t.has_masked = counts.get("n_masked", 0) > 0
    sv._t.collapse_repeats = header["options"].get("collapse_repeats", False) is True
    sv._n_entries = counts["n_entries"]
    sv._n_deny = counts["n_deny"]
    sv._category_names = tuple(header["categories"])
    sv._header = header
    sv.match_kind = match_kind
    sv._buffers = owners
    cdef uint32_t n_states = counts["n_states"]
    cdef size_t n_filtered
    with nogil:
        n_filtered = filtered_edges(&sv._t, n_states)
        sv._edge_filter = build_edge_filter(&sv._t, n_states, n_filtered)
    if sv._edge_filter == NULL and n_filtered:
        raise MemoryError("hansieve: cannot allocate the edge filter")
    sv._t.edge_filter = sv._edge_filter
    # Last: a Sieve with n_states == 0 scans nothing, so it is safe until every pointer is set.
    sv._t.n_states = n_states
    return sv


cdef size_t filtered_edges(TablesC* t, uint32_t n_states) noexcept nogil:
    """Edges of the states next_state consults the edge filter for: every state but the root
    (which has its dense row). Edge runs are consecutive: those of states 1.. end at the
    sentinel record's."""
    if n_states == 0:
        return 0
    return t.states[n_states].edge_begin - t.states[1].edge_begin


cdef uint64_t* build_edge_filter(TablesC* t, uint32_t n_states, size_t n) noexcept nogil:
    """The edge filter over the `n` edges of `t`'s states other than the root (derived data,
    so a compiled file need not carry it, nor can a forged one make it lie). NULL when there
    are none, or out of memory."""
    cdef size_t words = 2, k     # at least two: the word index is h >> filter_shift < 64
    cdef int log2 = 1
    cdef uint32_t s
    cdef uint64_t h
    cdef uint64_t* filt
    if n == 0:
        return NULL
    while words * 64 < n * FILTER_BITS_PER_EDGE:
        words <<= 1
        log2 += 1
    filt = <uint64_t*>calloc(words, sizeof(uint64_t))
    if filt == NULL:
        return NULL
    t.filter_shift = 64 - log2
    for s in range(1, n_states):
        for k in range(t.states[s].edge_begin, t.states[s + 1].edge_begin):
            h = edge_hash(s, t.edges[k].sym)
            filt[h >> t.filter_shift] |= edge_bits(h)
    return filt


cdef void _layout(vector[hs_edge_tmp]& tmp_edges, const vector[uint32_t]& term_node,
                  uint32_t n_nodes, vector[BuildStateC]& states, vector[EdgeC]& edges,
                  vector[uint32_t]& outs) noexcept nogil:
    """Renumber the trie breadth-first (hot shallow states packed together), lay out sorted edge
    runs, compute failure links and the flattened per-state output lists."""
    cdef size_t n_edges = tmp_edges.size(), j
    cdef uint32_t s, old, c, f, a, r, k
    hs_sort_edges(tmp_edges)
    # Where each temporary node's sorted edges start.
    cdef vector[uint32_t] tmp_begin = vector[uint32_t](n_nodes + 1, 0)
    for j in range(n_edges):
        tmp_begin[tmp_edges[j].parent + 1] += 1
    for s in range(n_nodes):
        tmp_begin[s + 1] += tmp_begin[s]
    # Terms ending at each temporary node, in term-id order (counting sort).
    cdef vector[uint32_t] own_begin = vector[uint32_t](n_nodes + 1, 0)
    cdef vector[uint32_t] own = vector[uint32_t](term_node.size(), 0)
    for j in range(term_node.size()):
        own_begin[term_node[j] + 1] += 1
    for s in range(n_nodes):
        own_begin[s + 1] += own_begin[s]
    cdef vector[uint32_t] fill = own_begin
    for j in range(term_node.size()):
        own[fill[term_node[j]]] = j
        fill[term_node[j]] += 1

    # Breadth-first order: the queue position is the new state id.
    cdef vector[uint32_t] queue
    queue.reserve(n_nodes)
    queue.push_back(0)
    states.resize(n_nodes)
    edges.reserve(n_edges)
    cdef EdgeC e
    s = 0
    while s < queue.size():
        old = queue[s]
        states[s].edge_begin = edges.size()
        for j in range(tmp_begin[old], tmp_begin[old + 1]):
            e.sym = tmp_edges[j].sym
            e.target = queue.size()
            states[e.target].depth = states[s].depth + 1
            queue.push_back(tmp_edges[j].child)
            edges.push_back(e)
        states[s].edge_end = edges.size()
        s += 1
    states[0].depth = 0

    # Failure links and outputs, in the same order (a state's failure target is shallower).
    states[0].fail = 0
    for s in range(n_nodes):
        old = queue[s]
        states[s].out_begin = outs.size()
        for j in range(own_begin[old], own_begin[old + 1]):
            outs.push_back(own[j])
        if s != 0:
            f = states[s].fail
            for k in range(states[f].out_begin, states[f].out_end):
                r = outs[k]     # copy first: push_back may reallocate
                outs.push_back(r)
        states[s].out_end = outs.size()
        for k in range(states[s].edge_begin, states[s].edge_end):
            c = edges[k].target
            a = edges[k].sym
            if s == 0:
                states[c].fail = 0
                continue
            f = states[s].fail
            while True:
                r = _find_edge(edges, states, f, a)
                if r != 0:
                    states[c].fail = r
                    break
                if f == 0:
                    states[c].fail = 0
                    break
                f = states[f].fail


# --------------------------------------------------------------------------------------------
# Compiled files
# --------------------------------------------------------------------------------------------
#
# Layout (little-endian):
#   0  magic  b"HANSIEVE"
#   8  u32    format version
#   12 u32    header length (JSON, UTF-8)
#   16 u64    file length
#   24 u64    checksum (hs_checksum) of bytes [0, 24) then [32, file length)
#   32 header JSON: counts, options, categories, rules, lexicon identity, array offsets
#   then each array at an 8-aligned offset, in ARRAYS order

MAGIC = b"HANSIEVE"
FORMAT_VERSION = 2     # 2: TERM_MASKED entries (a version-1 reader would report them unchecked)
_PREFIX = 32

cdef bytes _serialize(Sieve sv):
    import struct
    arrays = sv._buffers
    if isinstance(arrays, list):     # loaded from a file: (memoryview slices..., mmap)
        arrays = arrays[:len(ARRAYS)]
    header = dict(sv._header)
    offsets = []
    # Lay the arrays out first with a provisional header length, then fix point on it.
    header_json = b""
    for _ in range(3):
        pos = _PREFIX + len(header_json)
        offsets = []
        for a in arrays:
            pos = (pos + 7) & ~7
            offsets.append([pos, len(a)])
            pos += len(a)
        header["arrays"] = offsets
        new_json = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        new_json = new_json.ljust(len(new_json) + (-(_PREFIX + len(new_json))) % 8)
        if new_json == header_json:
            break
        header_json = new_json
    # (wraparound is off in this module: no negative indexes)
    last_off, last_n = offsets[len(offsets) - 1]
    total = last_off + last_n
    body = bytearray(total)
    body[_PREFIX:_PREFIX + len(header_json)] = header_json
    for (off, n), a in zip(offsets, arrays):
        body[off:off + n] = a
    struct.pack_into("<8sIIQQ", body, 0, MAGIC, FORMAT_VERSION, len(header_json), total, 0)
    struct.pack_into("<Q", body, 24, _checksum(body))
    return bytes(body)


def _checksum(data) -> int:
    """The compiled-file checksum of `data` (its own checksum field excluded)."""
    cdef const uint8_t[::1] v = memoryview(data).cast("B")
    cdef size_t n = v.shape[0], prefix = 32
    cdef uint64_t h
    if n < prefix:
        return 0
    with nogil:
        h = hs_checksum(&v[prefix], n - prefix, hs_checksum(&v[0], 24, 0))
    return h


def _load_path(path):
    """Map a compiled file and validate it (zero copy: the arrays stay in the mapping)."""
    import os
    with open(os.fspath(path), "rb") as f:
        try:
            # MAP_POPULATE: the checksum reads every page anyway; fault them in one go.
            mm = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0),
                           prot=mmap.PROT_READ)
        except ValueError:
            raise FormatError(f"[E301] {os.fspath(path)}: empty file, not a compiled hansieve lexicon") from None
    return _deserialize(mm, mm, os.fspath(path))


def _deserialize(object data, object owner, str name="data"):
    import struct
    try:
        view = memoryview(data).cast("B")
    except TypeError:
        raise TypeError(f"expected a bytes-like object, not {type(data).__name__}") from None
    size = len(view)
    if size < _PREFIX or bytes(view[:8]) != MAGIC:
        raise FormatError(f"[E301] {name}: not a compiled hansieve lexicon (bad magic)")
    magic, version, header_len, total, checksum = struct.unpack_from("<8sIIQQ", view, 0)
    if version > FORMAT_VERSION:
        raise FormatError(f"[E302] {name}: format version {version} is newer than this hansieve "
                          f"reads ({FORMAT_VERSION}); upgrade hansieve or recompile the lexicon")
    if version != FORMAT_VERSION:
        raise FormatError(f"[E303] {name}: unsupported format version {version}")
    if total != size:
        raise FormatError(f"[E304] {name}: truncated or padded: header says {total} bytes, "
                          f"found {size}")
    if _checksum(view) != checksum:
        raise FormatError(f"[E305] {name}: checksum mismatch (corrupt file)")
    if _PREFIX + header_len > size:
        raise FormatError(f"[E306] {name}: header runs past the end of the file")
    try:
        header = json.loads(bytes(view[_PREFIX:_PREFIX + header_len]).decode("utf-8"))
        arrays = []
        specs = header["arrays"]
        if len(specs) != len(ARRAYS):
            raise ValueError("wrong number of arrays")
        for (off, n) in specs:
            if not (isinstance(off, int) and isinstance(n, int)) or off % 8 or off < _PREFIX + header_len \
                    or n < 0 or off + n > size:
                raise ValueError(f"array at {off}+{n} outside the file or misaligned")
            arrays.append(view[off:off + n])
        from .compile import MatchKind
        kind = MatchKind(header["options"]["match_kind"])
        _validate(arrays, header)
    except FormatError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, OverflowError) as exc:
        raise FormatError(f"[E307] {name}: invalid compiled lexicon: {exc}") from None
    if owner is None:
        # from_bytes: copy once into an aligned private buffer, so the caller may reuse theirs.
        blob = bytes(view)
        view = memoryview(blob)
        arrays = [view[off:off + n] for off, n in header["arrays"]]
        owner = blob
    sv = _attach(tuple(arrays), list(arrays) + [owner], header, kind)
    _install_runtime(sv)
    return sv


def _release_build_memory():
    """Return the memory a build freed to the OS (glibc's malloc_trim; elsewhere nothing).

    A build of 349k terms peaks at ~200 MB of Python lists, dicts and C++ vectors and keeps
    ~22 MB; glibc keeps the freed rest mapped, so without this the process stays ~100 MB larger
    than the Sieve it holds. Returns whether any memory was released."""
    cdef int released
    with nogil:
        released = hs_release_free_memory()
    return bool(released)


def _install_runtime(Sieve sv):
    """Re-create the Python-side helpers (rules, verifier) from the header."""
    from . import verify
    verify.install(sv, sv._header)


cdef int _need(bint ok, str what) except -1:
    if not ok:
        raise ValueError(what)
    return 0


cdef const char* _check_arrays(TablesC* t, size_t n_pages, size_t n_word_pages, size_t n_exp,
                               size_t n_exp_syms, size_t n_edges, size_t n_outs,
                               const uint32_t* text_offsets, size_t n_entries, size_t blob_len,
                               const uint8_t* category_idx, size_t n_categories,
                               const uint8_t* severity_idx, const uint32_t* base_of,
                               const uint8_t* mechanism_idx, size_t n_mechanisms) noexcept nogil:
    """Every index the scan loop follows, in one pass per array with accumulated checks (no
    early branch in the loops). Returns NULL when valid, else what is wrong."""
    cdef size_t i, k
    cdef bint ok = True
    cdef int32_t code
    cdef uint32_t f
    cdef const StateC* st = t.states
    for i in range(N_PAGES):
        ok &= (t.page_index[i] < n_pages) & (t.word_index[i] < n_word_pages)
    if not ok:
        return "page index"
    for i in range(n_pages * PAGE_SIZE):
        code = t.pages[i]
        ok &= ((code > 0) & (<uint32_t>code <= t.n_syms)) | (code == 0) | (code == -1) | (code == -2) | (
            (code <= -3) & (<size_t>(-3 - <int64_t>code) < n_exp))
    if not ok:
        return "code table entry"
    ok &= (t.exp_begin[0] == 0) & (t.exp_begin[n_exp] == n_exp_syms)
    for i in range(n_exp):
        ok &= t.exp_begin[i] <= t.exp_begin[i + 1]
    for i in range(n_exp_syms):
        ok &= t.exp_syms[i] <= t.n_syms
    if not ok:
        return "expansions"
    ok &= (st[0].depth == 0) & (st[0].fail == 0) & (st[0].edge_begin == 0) & (st[0].out_begin == 0)
    ok &= (st[t.n_states].edge_begin == n_edges) & (st[t.n_states].out_begin == n_outs)
    for i in range(t.n_states):
        f = st[i].fail
        ok &= (st[i].edge_begin <= st[i + 1].edge_begin) & (st[i].out_begin <= st[i + 1].out_begin)
        ok &= (f < t.n_states) & (st[i].depth <= t.max_depth)
        # Failure links must go strictly up in depth, or a scan could loop forever.
        ok &= (i == 0) | ((f < t.n_states) and st[f].depth < st[i].depth)
    if not ok:
        return "states"
    for i in range(n_edges):
        ok &= (t.edges[i].sym >= 1) & (t.edges[i].sym <= t.n_syms)
        ok &= (t.edges[i].target > 0) & (t.edges[i].target < t.n_states)
    if not ok:
        return "edges"
    # An edge goes exactly one symbol deeper (the root's row to depth 1 at most), and a term
    # ending in a state is no longer than its depth. The scan relies on both: a hit's start is
    # read from the ring of the last `depth` positions, and a deeper jump would read a slot
    # never written (a wild offset, then a read outside the text in the whole-word check).
    for i in range(t.n_states):
        for k in range(st[i].edge_begin, st[i + 1].edge_begin):
            ok &= st[t.edges[k].target].depth == st[i].depth + 1
    if not ok:
        return "edges"
    for i in range(n_outs):
        ok &= t.outs[i] < t.n_terms
    for i in range(t.n_syms + 1):
        ok &= t.root_next[i] < t.n_states
    if not ok:
        return "outputs"
    for i in range(t.n_syms + 1):
        ok &= st[t.root_next[i]].depth <= 1
    for i in range(t.n_terms):
        ok &= (t.term_len[i] >= 1) & (t.term_len[i] <= t.max_depth)
    if not ok:
        return "outputs"
    for i in range(t.n_states):
        for k in range(st[i].out_begin, st[i + 1].out_begin):
            ok &= t.term_len[t.outs[k]] <= st[i].depth
    if not ok:
        return "outputs"
    ok &= (text_offsets[0] == 0) & (text_offsets[n_entries] == blob_len)
    for i in range(n_entries):
        ok &= text_offsets[i] <= text_offsets[i + 1]
        ok &= (category_idx[i] <= n_categories) & (severity_idx[i] <= 3)
        ok &= (base_of[i] < n_entries) & (mechanism_idx[i] < n_mechanisms)
    if not ok:
        return "entries"
    return NULL


cdef const void* _addr(object view):
    """Address of a non-empty buffer (memoryview slice) or NULL."""
    cdef const uint8_t[::1] v
    if len(view) == 0:
        return NULL
    v = view
    return &v[0]


def _validate(list arrays, dict header):
    """Check every index and offset the scan loop will follow, so a hostile file can only be
    refused, never read out of bounds or walked forever."""
    counts = header["counts"]
    n_syms, n_states = counts["n_syms"], counts["n_states"]
    n_terms, max_depth = counts["n_terms"], counts["max_depth"]
    n_entries, n_exp = counts["n_entries"], counts["n_exp"]
    for value in (n_syms, n_states, n_terms, max_depth, n_entries, n_exp, counts["n_deny"],
                  counts["n_allow"], counts.get("n_masked", 0)):
        _need(isinstance(value, int) and 0 <= value < 0xFFFFFFF0, "counts")
    _need(n_states >= 1 and n_terms <= n_entries and counts["n_deny"] <= n_terms, "counts")
    _need(isinstance(header["options"]["max_gap"], int) and 0 <= header["options"]["max_gap"] <= (1 << 20),
          "max_gap")
    _need(max_depth <= (1 << 26), "max_depth")
    _need(isinstance(header["categories"], list) and len(header["categories"]) < 255
          and all(isinstance(c, str) for c in header["categories"]), "categories")
    sizes = [len(a) for a in arrays]
    _need(sizes[0] == N_PAGES * 4 and sizes[1] % (PAGE_SIZE * 4) == 0 and sizes[1] > 0, "code table")
    _need(sizes[2] == (n_exp + 1) * 4 and sizes[3] % 4 == 0, "expansions")
    _need(sizes[4] == (n_states + 1) * sizeof(StateC) and sizes[5] % sizeof(EdgeC) == 0, "states")
    _need(sizes[6] % 4 == 0 and sizes[7] == (n_syms + 1) * 4, "outputs")
    _need(sizes[8] == n_terms * 4 and sizes[9] == n_terms, "terms")
    _need(sizes[10] == N_PAGES * 4 and sizes[11] % PAGE_SIZE == 0 and sizes[11] > 0, "word table")
    _need(sizes[12] == (n_entries + 1) * 4 and sizes[14] == n_entries and sizes[15] == n_entries,
          "entries")
    _need(sizes[16] == n_entries * 4 and sizes[17] == n_entries, "variants")
    _need(isinstance(header["mechanisms"], list) and 1 <= len(header["mechanisms"]) < 255
          and all(isinstance(m, str) for m in header["mechanisms"]), "mechanisms")
    cdef TablesC t
    t.page_index = <const uint32_t*>_addr(arrays[0])
    t.pages = <const int32_t*>_addr(arrays[1])
    t.exp_begin = <const uint32_t*>_addr(arrays[2])
    t.exp_syms = <const uint32_t*>_addr(arrays[3])
    t.states = <const StateC*>_addr(arrays[4])
    t.edges = <const EdgeC*>_addr(arrays[5])
    t.outs = <const uint32_t*>_addr(arrays[6])
    t.root_next = <const uint32_t*>_addr(arrays[7])
    t.term_len = <const uint32_t*>_addr(arrays[8])
    t.word_index = <const uint32_t*>_addr(arrays[10])
    t.n_states = n_states
    t.n_syms = n_syms
    t.n_terms = n_terms
    t.max_depth = max_depth
    cdef const uint32_t* text_offsets = <const uint32_t*>_addr(arrays[12])
    cdef const uint8_t* category_idx = <const uint8_t*>_addr(arrays[14])
    cdef const uint8_t* severity_idx = <const uint8_t*>_addr(arrays[15])
    cdef const uint32_t* base_of = <const uint32_t*>_addr(arrays[16])
    cdef const uint8_t* mechanism_idx = <const uint8_t*>_addr(arrays[17])
    cdef size_t n_mechanisms = len(header["mechanisms"])
    cdef size_t n_pages = sizes[1] // (PAGE_SIZE * 4), n_word_pages = sizes[11] // PAGE_SIZE
    cdef size_t n_exp_syms = sizes[3] // 4, n_edges = sizes[5] // 8, n_outs = sizes[6] // 4
    cdef size_t n_categories = len(header["categories"]), blob_len = sizes[13]
    cdef size_t n_exp_c = n_exp, n_entries_c = n_entries
    cdef const char* problem
    with nogil:
        problem = _check_arrays(&t, n_pages, n_word_pages, n_exp_c, n_exp_syms, n_edges, n_outs,
                                text_offsets, n_entries_c, blob_len, category_idx, n_categories,
                                severity_idx, base_of, mechanism_idx, n_mechanisms)
    if problem != NULL:
        raise ValueError(problem.decode())
    str(arrays[13], "utf-8", "surrogatepass")      # term texts must decode
    # The Python-side stages index entries too: rule rows and per-entry extras.
    _need(isinstance(header["rules"], list), "rules")
    for row in header["rules"]:
        rule_id, a, op, b, within = row
        _need(isinstance(rule_id, int) and isinstance(a, int) and isinstance(b, int), "rule")
        _need(n_terms <= rule_id < n_entries and 0 <= a < n_terms and 0 <= b < n_terms
              and op in ("&", "~") and (within is None or (isinstance(within, int) and within > 0)),
              "rule")
    _need(isinstance(header["extra"], dict), "extra")
    for key, value in header["extra"].items():
        _need(isinstance(value, dict) and isinstance(value.get("tags", []), list)
              and isinstance(value.get("flags", []), list), "extra")
