# Native jieba segmentation (dictionary DAG + maximum-probability route, no HMM) for verification.
#
# A keyword hit is a more plausible word when the segmentation of its context puts token
# boundaries at both of its ends ("法轮" inside "没办法轮流" is not one). jieba answers that in
# tens of microseconds of Python per window; this module reproduces jieba 0.42.1's
# `Tokenizer.cut(text, HMM=False)` token for token over flat arrays, reading `str` buffers
# directly (PEP 393) with the GIL released. Reading the dictionary happens in `segment.py`,
# merging the user's words in `_SegmentBuilder` below.
#
# What jieba does, and therefore what this does:
#   * the text is split into "han blocks", maximal runs of [\u4E00-\u9FD5a-zA-Z0-9+#&._%-];
#     every other code point is a token by itself, except "\r\n", which is one token;
#   * inside a block, position k can start any dictionary word text[k:i+1] of non-zero frequency
#     (a word of frequency 0 only lets the walk continue) and falls back to the single character;
#   * the route is chosen right to left: route[k] = max over those words of
#     (log(freq) - log(total) + route[i+1], i), ties going to the longer word;
#   * consecutive single-character tokens that are ASCII letters or digits are merged.
# The log-weights are computed once per distinct frequency with Python's own `math.log` and added
# in C in jieba's order, so the route is the same to the last bit.

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.tuple cimport PyTuple_GET_SIZE
from cpython.unicode cimport (PyUnicode_GET_LENGTH, PyUnicode_READ,
                              PyUnicode_Substring)
from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset
from libcpp.algorithm cimport sort, unique
from libcpp.utility cimport pair
from libcpp.vector cimport vector

import math
import operator
from array import array

from hansieve._trie cimport hs_trie
from hansieve._unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READY

ctypedef fused char_t:
    uint8_t
    uint16_t
    uint32_t

cdef enum:
    NOT_HAN = 0xFFFF        # symbol table: outside jieba's han-block character class
    CJK_FIRST = 0x4E00      # the CJK part of the class is U+4E00..U+9FD5
    CJK_COUNT = 0x51D6
    ALPHA_SIZE = 128 + CJK_COUNT    # ASCII, then the CJK range
    STACK_CAP = 256         # work slots kept on the stack (a verification window fits)
    WIDEN = 2               # a window may grow to WIDEN * window to reach a block edge


cdef struct SegStateC:
    # Side by side: the walk reads both fields of every state it enters.
    uint32_t edge_begin     # edges [edge_begin, next state's edge_begin), sorted by symbol
    uint32_t wclass         # 0 = not a word, else an index into `weight`


cdef struct SegTablesC:
    const uint16_t* sym_of      # ALPHA_SIZE entries: NOT_HAN, 0 (han, in no word) or a symbol
    const uint32_t* root_child  # symbol -> depth-1 state (0: no word starts with it)
    const SegStateC* states     # n_states + 1 (the last one only closes the last edge run)
    const uint16_t* label       # symbol of edge j; edge j leads to state j + 1 (breadth-first ids)
    const double* weight        # log(freq) - log(total); weight[0] is log(1) - log(total)
    uint32_t n_states


cdef struct WorkC:
    # Per-block scratch: symbols, route log-probabilities and route ends, `cap` slots each.
    uint16_t* sym
    double* rp
    Py_ssize_t* rx
    Py_ssize_t cap
    void* heap                  # owned allocation, or NULL while on the caller's stack


# --------------------------------------------------------------------------------------------
# The segmentation core
# --------------------------------------------------------------------------------------------

cdef inline uint32_t sym_at(const SegTablesC* t, uint32_t cp) noexcept nogil:
    if cp < 128:
        return t.sym_of[cp]
    cp -= CJK_FIRST     # unsigned: code points below the range wrap to huge values
    if cp < CJK_COUNT:
        return t.sym_of[128 + cp]
    return NOT_HAN


cdef inline bint is_han(const SegTablesC* t, uint32_t cp) noexcept nogil:
    return sym_at(t, cp) != NOT_HAN


cdef inline bint is_ascii_alnum(uint32_t cp) noexcept nogil:
    # jieba's re_eng: [a-zA-Z0-9]
    return (cp - 48 < 10) or ((cp | 32) - 97 < 26)


cdef inline uint32_t child(const SegTablesC* t, uint32_t s, uint32_t a) noexcept nogil:
    """The state reached from `s` by symbol `a`, or 0."""
    cdef uint32_t lo = t.states[s].edge_begin, n = t.states[s + 1].edge_begin - lo, half
    cdef const uint16_t* run = t.label + lo
    if n <= 8:
        # Below depth 1, most states have one or two children: a short scan wins.
        while n > 0:
            if run[0] == a:
                return <uint32_t>(run - t.label) + 1
            run += 1
            n -= 1
        return 0
    # Branchless binary search (the last label <= a): runs under common first characters are
    # hundreds long and a mispredicted branch per level costs more than the loads.
    while n > 1:
        half = n >> 1
        run = run + half if run[half] <= a else run
        n -= half
    if run[0] == a:
        return <uint32_t>(run - t.label) + 1
    return 0


cdef int work_reserve(WorkC* w, Py_ssize_t need) noexcept nogil:
    """Make room for `need` slots per array; returns -1 when out of memory."""
    cdef char* p
    if need <= w.cap:
        return 0
    p = <char*>malloc(need * (sizeof(double) + sizeof(Py_ssize_t) + sizeof(uint16_t)))
    if p == NULL:
        return -1
    free(w.heap)
    w.heap = p
    w.rp = <double*>p
    w.rx = <Py_ssize_t*>(p + need * sizeof(double))
    w.sym = <uint16_t*>(p + need * (sizeof(double) + sizeof(Py_ssize_t)))
    w.cap = need
    return 0


cdef void cut_block(const SegTablesC* t, const char_t* blk, Py_ssize_t m, uint8_t* bnd,
                    WorkC* w) noexcept nogil:
    """jieba's __cut_DAG_NO_HMM on one han block of `m` code points whose symbols are in
    `w.sym`: sets bnd[k] = 1 where a token starts (bnd must be zeroed by the caller)."""
    cdef const uint16_t* sym = w.sym
    cdef double* rp = w.rp
    cdef Py_ssize_t* rx = w.rx
    cdef Py_ssize_t idx, x, best_x, y
    cdef double p, best_p
    cdef uint32_t s, c
    cdef bint found, in_buf
    rp[m] = 0.0
    idx = m - 1
    while idx >= 0:
        # The DAG row of idx and jieba's calc() in one walk: words come in increasing end x, so
        # `>=` keeps the last of equal log-probabilities, as max() over (logp, x) tuples does.
        found = False
        best_p = 0.0
        best_x = idx
        s = t.root_child[sym[idx]]
        x = idx
        while s != 0:
            c = t.states[s].wclass
            if c != 0:
                p = t.weight[c] + rp[x + 1]
                if not found or p >= best_p:
                    best_p = p
                    best_x = x
                    found = True
            x += 1
            if x >= m:
                break
            s = child(t, s, sym[x])
        if not found:
            best_p = t.weight[0] + rp[idx + 1]
            best_x = idx
        rp[idx] = best_p
        rx[idx] = best_x
        idx -= 1
    # The forward walk; runs of single-character ASCII letter/digit tokens become one token.
    x = 0
    in_buf = False
    while x < m:
        y = rx[x] + 1
        if y == x + 1 and is_ascii_alnum(blk[x]):
            if not in_buf:
                bnd[x] = 1
            in_buf = True
        else:
            bnd[x] = 1
            in_buf = False
        x = y


cdef int seg_range(const SegTablesC* t, const char_t* data, Py_ssize_t lo, Py_ssize_t hi,
                   uint8_t* bnd, WorkC* w) noexcept nogil:
    """Token starts of jieba's cut(text[lo:hi], HMM=False) into bnd[0:hi - lo + 1] (the last
    byte, the end of the text, is 1). Returns -1 when out of memory."""
    cdef Py_ssize_t i = lo, j
    cdef uint32_t cp, a
    memset(bnd, 0, hi - lo)
    bnd[hi - lo] = 1
    while i < hi:
        cp = data[i]
        if not is_han(t, cp):
            # re_skip: "\r\n" is one token, every other code point is one by itself.
            bnd[i - lo] = 1
            if cp == 13 and i + 1 < hi and data[i + 1] == 10:
                i += 2
            else:
                i += 1
            continue
        j = i + 1
        while j < hi and is_han(t, data[j]):
            j += 1
        if work_reserve(w, j - i + 1) < 0:
            return -1
        for a in range(j - i):
            w.sym[a] = <uint16_t>sym_at(t, data[i + a])
        cut_block(t, data + i, j - i, bnd + (i - lo), w)
        i = j
    return 0


cdef inline int edge_kind(const SegTablesC* t, const char_t* data, Py_ssize_t n,
                          Py_ssize_t p) noexcept nogil:
    """Whether the full segmentation has a boundary at `p`: 1 surely, 0 surely not, 2 when it
    depends on the han block around p (both neighbours are han-block characters)."""
    cdef uint32_t a, b
    if p == 0 or p == n:
        return 1
    a = data[p - 1]
    b = data[p]
    if a == 13 and b == 10:
        return 0
    if not is_han(t, a) or not is_han(t, b):
        return 1
    return 2


cdef inline Py_ssize_t left_edge(const SegTablesC* t, const char_t* data, Py_ssize_t p,
                                 Py_ssize_t window) noexcept nogil:
    """Where the local segmentation for a boundary at `p` starts: the start of p's han block if
    it is within WIDEN * window, else p - window (a cut inside the block)."""
    cdef Py_ssize_t q = p - 1
    cdef Py_ssize_t far = p - WIDEN * window
    if far < 0:
        far = 0
    while q > far and is_han(t, data[q - 1]):
        q -= 1
    if q == 0 or not is_han(t, data[q - 1]):
        return q
    # No block edge near: cut the block `window` code points away (q == far here).
    return p - window if p - window > q else q


cdef inline Py_ssize_t right_edge(const SegTablesC* t, const char_t* data, Py_ssize_t n,
                                  Py_ssize_t p, Py_ssize_t window) noexcept nogil:
    """Where the local segmentation for a boundary at `p` ends (see left_edge)."""
    cdef Py_ssize_t q = p + 1
    cdef Py_ssize_t far = p + WIDEN * window
    if far > n:
        far = n
    while q < far and is_han(t, data[q]):
        q += 1
    if q == n or not is_han(t, data[q]):
        return q
    return p + window if p + window < q else q


cdef inline int local_range(const SegTablesC* t, const char_t* data, Py_ssize_t n, Py_ssize_t s,
                            Py_ssize_t e, Py_ssize_t window, int* ks, int* ke, Py_ssize_t* lo,
                            Py_ssize_t* hi) noexcept nogil:
    """The boundary check of [s, e) in data[0:n] up to segmentation: 1 or 0 when the ends alone
    decide it, else 2 with [lo, hi) the range whose segmentation decides (only the han
    block(s) around the undecided ends matter: jieba cuts blocks independently)."""
    ks[0] = edge_kind(t, data, n, s)
    if ks[0] == 0:
        return 0
    ke[0] = edge_kind(t, data, n, e)
    if ke[0] == 0:
        return 0
    if ks[0] == 1 and ke[0] == 1:
        return 1            # punctuation, spaces or the text's ends on both sides
    lo[0] = left_edge(t, data, s if ks[0] == 2 else e, window)
    hi[0] = right_edge(t, data, n, e if ke[0] == 2 else s, window)
    return 2


cdef enum:
    RECENT = 8              # segmented ranges remembered within one call (overlapping hits)


cdef struct SegmentedC:
    Py_ssize_t lo, hi       # a range of the text segmented in this call...
    size_t at               # ...whose token starts are pool[at:at + hi - lo + 1]


cdef int aligned_windows(const SegTablesC* t, const char_t* data, Py_ssize_t n,
                         const Py_ssize_t* spans, Py_ssize_t count, Py_ssize_t reach,
                         Py_ssize_t window, uint8_t* out) noexcept nogil:
    """out[k] = 1 when the local segmentation of the context of span k puts token boundaries
    at both of its ends, else 0; -1 when out of memory. Span k is [spans[2k], spans[2k + 1])
    and its context data[max(0, s - reach):min(n, e + reach)], read as a text of its own (its
    ends are text ends; `window` is capped at its length). A range of the text that several
    spans' checks need (the han block that overlapping hits share) is segmented once: its
    segmentation depends on nothing but its code points, so the answers are those of one
    segmentation per span."""
    cdef Py_ssize_t k, j, s, e, lo_w, m, win, lo, hi, size
    cdef int ks, ke, rc
    cdef const char_t* ctx
    cdef SegmentedC recent[RECENT]
    cdef Py_ssize_t n_recent = 0
    cdef uint8_t stack_pool[4 * STACK_CAP]
    cdef uint8_t* pool = stack_pool
    cdef uint8_t* grown
    cdef size_t used = 0, cap = 4 * STACK_CAP
    cdef const uint8_t* bnd
    cdef uint16_t stack_sym[STACK_CAP + 1]
    cdef double stack_rp[STACK_CAP + 1]
    cdef Py_ssize_t stack_rx[STACK_CAP + 1]
    cdef WorkC w
    w.sym = stack_sym
    w.rp = stack_rp
    w.rx = stack_rx
    w.cap = STACK_CAP + 1
    w.heap = NULL
    rc = 0
    for k in range(count):
        s = spans[2 * k]
        e = spans[2 * k + 1]
        lo_w = s - reach if s - reach > 0 else 0
        m = (e + reach if e + reach < n else n) - lo_w
        ctx = data + lo_w
        win = window if window < m else m   # no wider than the context (no overflow either)
        rc = local_range(t, ctx, m, s - lo_w, e - lo_w, win, &ks, &ke, &lo, &hi)
        if rc != 2:
            out[k] = <uint8_t>rc
            continue
        lo += lo_w          # text coordinates from here on
        hi += lo_w
        bnd = NULL
        j = n_recent - 1
        while j >= 0 and j >= n_recent - RECENT:
            if recent[j % RECENT].lo == lo and recent[j % RECENT].hi == hi:
                bnd = pool + recent[j % RECENT].at
                break
            j -= 1
        if bnd == NULL:
            size = hi - lo + 1
            if used + size > cap:
                cap = 2 * cap if 2 * cap >= used + size else used + size
                grown = <uint8_t*>malloc(cap)
                if grown == NULL:
                    rc = -1
                    break
                memcpy(grown, pool, used)
                if pool != stack_pool:
                    free(pool)
                pool = grown
            if seg_range(t, data, lo, hi, pool + used, &w) < 0:
                rc = -1
                break
            recent[n_recent % RECENT].lo = lo
            recent[n_recent % RECENT].hi = hi
            recent[n_recent % RECENT].at = used
            n_recent += 1
            bnd = pool + used
            used += size
        out[k] = (ks == 1 or bnd[s - lo] != 0) and (ke == 1 or bnd[e - lo] != 0)
        rc = 0
    free(w.heap)
    if pool != stack_pool:
        free(pool)
    return -1 if rc < 0 else 0


cdef int segment_into(const SegTablesC* t, object text, Py_ssize_t lo, Py_ssize_t hi,
                      uint8_t* bnd) except -1:
    """seg_range on a str, dispatching on its PEP 393 kind, without the GIL."""
    cdef int kind, rc = 0
    cdef void* data
    cdef WorkC w
    cdef uint16_t stack_sym[STACK_CAP + 1]
    cdef double stack_rp[STACK_CAP + 1]
    cdef Py_ssize_t stack_rx[STACK_CAP + 1]
    PyUnicode_READY(text)
    kind = PyUnicode_KIND(text)
    data = PyUnicode_DATA(text)
    w.sym = stack_sym
    w.rp = stack_rp
    w.rx = stack_rx
    w.cap = STACK_CAP + 1
    w.heap = NULL
    # `text` stays referenced by the caller, and str is immutable: safe to read without the GIL.
    with nogil:
        if kind == 1:
            rc = seg_range(t, <const uint8_t*>data, lo, hi, bnd, &w)
        elif kind == 2:
            rc = seg_range(t, <const uint16_t*>data, lo, hi, bnd, &w)
        else:
            rc = seg_range(t, <const uint32_t*>data, lo, hi, bnd, &w)
        free(w.heap)
    if rc < 0:
        raise MemoryError("hansieve: cannot allocate segmentation work space")
    return 0


cdef struct FoldC:
    # A one-to-one fold: code point keys[i] becomes values[i] (keys sorted); `bmp` has the bit
    # of every key below U+10000 set, so the common code points skip the search.
    const uint64_t* bmp
    const uint32_t* keys
    const uint32_t* values
    Py_ssize_t n


cdef inline uint32_t fold_cp(const FoldC* f, uint32_t cp) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = f.n, mid
    if cp < 0x10000 and not ((f.bmp[cp >> 6] >> (cp & 63)) & 1):
        return cp
    while lo < hi:
        mid = (lo + hi) >> 1
        if f.keys[mid] < cp:
            lo = mid + 1
        else:
            hi = mid
    if lo < f.n and f.keys[lo] == cp:
        return f.values[lo]
    return cp


cdef void fold_range(const FoldC* f, const char_t* data, Py_ssize_t lo, Py_ssize_t hi,
                     uint32_t* out) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(lo, hi):
        out[i - lo] = fold_cp(f, data[i])


cdef int aligned_folded(const SegTablesC* t, const FoldC* f, object text, const Py_ssize_t* spans,
                        Py_ssize_t count, Py_ssize_t reach, Py_ssize_t window,
                        uint8_t* out) except -1:
    """aligned_windows on the text folded by `f`, folding only the text the contexts cover: the
    spans are taken by start in runs of overlapping contexts, and each run is folded into one
    buffer and checked in one go (a message's hits usually make one run)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), k, q, first, last, lo, hi, idx, longest = 0
    cdef vector[pair[Py_ssize_t, Py_ssize_t]] order     # (start, index of the span)
    cdef vector[Py_ssize_t] runs                        # (first in order, lo, hi) per run
    for k in range(count):
        order.push_back(pair[Py_ssize_t, Py_ssize_t](spans[2 * k], k))
    sort(order.begin(), order.end())
    k = 0
    while k < count:
        first = k
        lo = order[k].first - reach if order[k].first - reach > 0 else 0
        hi = lo
        while k < count and (k == first or order[k].first - reach <= hi):
            idx = order[k].second
            if spans[2 * idx + 1] + reach > hi:
                hi = spans[2 * idx + 1] + reach if spans[2 * idx + 1] + reach < n else n
            k += 1
        runs.push_back(first)
        runs.push_back(lo)
        runs.push_back(hi)
        if hi - lo > longest:
            longest = hi - lo
    runs.push_back(count)
    cdef vector[uint32_t] buf = vector[uint32_t](longest + 1)
    cdef vector[Py_ssize_t] rel = vector[Py_ssize_t](2 * count + 2)
    cdef vector[uint8_t] got = vector[uint8_t](count + 1)
    cdef int kind = PyUnicode_KIND(text), rc = 0
    cdef const void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t j, n_runs = (runs.size() - 1) // 3
    # `text` stays referenced by the caller, and str is immutable: safe to read without the GIL.
    with nogil:
        for j in range(n_runs):
            first = runs[3 * j]
            lo = runs[3 * j + 1]
            hi = runs[3 * j + 2]
            last = runs[3 * j + 3]
            if kind == 1:
                fold_range(f, <const uint8_t*>data, lo, hi, buf.data())
            elif kind == 2:
                fold_range(f, <const uint16_t*>data, lo, hi, buf.data())
            else:
                fold_range(f, <const uint32_t*>data, lo, hi, buf.data())
            for q in range(first, last):
                idx = order[q].second
                rel[2 * (q - first)] = spans[2 * idx] - lo
                rel[2 * (q - first) + 1] = spans[2 * idx + 1] - lo
            rc = aligned_windows(t, <const uint32_t*>buf.data(), hi - lo, rel.data(), last - first,
                                 reach, window, got.data())
            if rc < 0:
                break
            for q in range(first, last):
                out[order[q].second] = got[q - first]
    if rc < 0:
        raise MemoryError("hansieve: cannot allocate segmentation work space")
    return 0


cdef inline int aligned_windows_text(const SegTablesC* t, int kind, const void* data,
                                     Py_ssize_t n, const Py_ssize_t* spans, Py_ssize_t count,
                                     Py_ssize_t reach, Py_ssize_t window,
                                     uint8_t* out) noexcept nogil:
    if kind == 1:
        return aligned_windows(t, <const uint8_t*>data, n, spans, count, reach, window, out)
    elif kind == 2:
        return aligned_windows(t, <const uint16_t*>data, n, spans, count, reach, window, out)
    return aligned_windows(t, <const uint32_t*>data, n, spans, count, reach, window, out)


# --------------------------------------------------------------------------------------------
# The public class
# --------------------------------------------------------------------------------------------

cdef inline void _check_text(object text) except *:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")


cdef inline void _check_span(Py_ssize_t n, Py_ssize_t s, Py_ssize_t e) except *:
    if not 0 <= s <= e <= n:
        raise ValueError(f"span ({s}, {e}) is not within a text of length {n}")


cdef inline const char* _ptr(bytes b):
    return <const char*>b


@cython.final
cdef class OneToOneFold:
    """A fold that maps single code points to single code points (``{code point: one-character
    str}``, as for ``str.translate``), in a native form :meth:`Segmenter.is_boundary_aligned_many`
    reads without the GIL. Immutable.

    >>> from hansieve._segment import OneToOneFold
    >>> len(OneToOneFold({ord("麼"): "么", ord("Ａ"): "a"}))
    2
    """

    cdef FoldC _f
    cdef bytes _bmp, _keys, _values     # owners of the memory _f points into

    def __cinit__(self):
        self._f.n = 0       # usable (an identity) even if __init__ is never run
        self._bmp = bytes(0x10000 // 8)
        self._f.bmp = <const uint64_t*>_ptr(self._bmp)

    def __init__(self, mapping):
        cdef vector[uint32_t] keys, values
        cdef vector[uint64_t] bmp = vector[uint64_t](0x10000 // 64, 0)
        cdef uint32_t cp
        for key, value in sorted(mapping.items()):
            if not isinstance(key, int) or not 0 <= key < 0x110000:
                raise ValueError(f"fold key must be a code point, got {key!r}")
            if not isinstance(value, str) or len(value) != 1:
                raise ValueError(f"fold of U+{key:04X} must be one character, got {value!r}")
            cp = key
            keys.push_back(cp)
            values.push_back(ord(value))
            if cp < 0x10000:
                bmp[cp >> 6] |= (<uint64_t>1) << (cp & 63)
        self._bmp = _as_bytes(bmp.data(), bmp.size() * sizeof(uint64_t))
        self._keys = _as_bytes(keys.data(), keys.size() * sizeof(uint32_t))
        self._values = _as_bytes(values.data(), values.size() * sizeof(uint32_t))
        self._f.bmp = <const uint64_t*>_ptr(self._bmp)
        self._f.keys = <const uint32_t*>_ptr(self._keys)
        self._f.values = <const uint32_t*>_ptr(self._values)
        self._f.n = keys.size()

    def __len__(self):
        return self._f.n

    def __repr__(self):
        return f"<hansieve.OneToOneFold {self._f.n} code points>"


@cython.final
cdef class Segmenter:
    """jieba's dictionary segmentation without HMM (``jieba.Tokenizer().lcut(text, HMM=False)``),
    native and immutable, made by :func:`hansieve.segment.build_segmenter`.

    Every method reads the text without the GIL; one Segmenter may be shared by any number of
    threads.

    Examples
    --------
    >>> from hansieve.segment import default_segmenter
    >>> seg = default_segmenter()
    >>> seg.cut("没办法轮流值班")
    ['没', '办法', '轮流', '值班']
    >>> seg.is_boundary_aligned("没办法轮流值班", 2, 4)    # 法轮 straddles 办法 | 轮流
    False
    """

    cdef SegTablesC _t
    cdef tuple _buffers         # owners of the memory the pointers in _t point into
    cdef object _total
    cdef Py_ssize_t _n_words
    cdef uint32_t _n_syms
    cdef uint32_t _max_word_len
    cdef dict _unreachable      # words with a character outside the han blocks: never matched

    def __cinit__(self):
        self._t.n_states = 0
        self._buffers = ()

    def __init__(self, *args, **kwargs):
        raise TypeError("use hansieve.segment.build_segmenter() to make a Segmenter")

    # ---- segmentation ---------------------------------------------------------------------

    def cut(self, text) -> list:
        """The tokens of `text`, exactly as ``jieba.Tokenizer().lcut(text, HMM=False)`` with the
        same dictionary.

        >>> from hansieve.segment import default_segmenter
        >>> default_segmenter().cut("他说abc12，\\r\\n")
        ['他', '说', 'abc12', '，', '\\r\\n']
        """
        _check_text(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, start
        cdef list out = []
        if n == 0:
            return out
        cdef uint8_t* bnd = <uint8_t*>malloc(n + 1)
        if bnd == NULL:
            raise MemoryError()
        try:
            segment_into(&self._t, text, 0, n, bnd)
            start = 0
            for i in range(1, n + 1):
                if bnd[i]:
                    out.append(PyUnicode_Substring(text, start, i))
                    start = i
        finally:
            free(bnd)
        return out

    def boundaries(self, text, Py_ssize_t start=0, Py_ssize_t end=-1) -> bytes:
        """Token starts of ``cut(text[start:end])`` as a bitmap: ``len(result) == end - start + 1``,
        ``result[i] == 1`` where a token starts at ``text[start + i]``; the last byte (the end of
        the slice) is 1, and so is the first when the slice is not empty. ``end=-1`` means
        ``len(text)``.

        >>> from hansieve.segment import default_segmenter
        >>> list(default_segmenter().boundaries("我吸了大麻"))
        [1, 1, 1, 1, 0, 1]
        """
        _check_text(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        if end == -1:
            end = n
        _check_span(n, start, end)
        cdef bytes out = PyBytes_FromStringAndSize(NULL, end - start + 1)
        # A fresh bytes object nobody else sees yet: fill it in place.
        segment_into(&self._t, text, start, end, <uint8_t*>PyBytes_AS_STRING(out))
        return out

    def is_boundary_aligned(self, text, Py_ssize_t span_start, Py_ssize_t span_end,
                            Py_ssize_t window=16) -> bool:
        """Whether segmenting the context of ``text[span_start:span_end]`` puts token boundaries
        at both `span_start` and `span_end`.

        Only the han block(s) around the span are segmented, at most `window` code points on each
        side; a block edge up to ``2 * window`` away is reached instead when there is one, so that
        the local segmentation is jieba's own whenever the block is short. An end next to
        punctuation, a space or the text's ends is a boundary without any segmentation.

        >>> from hansieve.segment import build_segmenter
        >>> seg = build_segmenter(extra_words=[("法轮功", 500)])
        >>> seg.is_boundary_aligned("他是法轮功学员", 2, 5), seg.is_boundary_aligned("大麻烦", 0, 2)
        (True, False)
        """
        return self.is_boundary_aligned_many(text, ((span_start, span_end),), window)[0]

    def is_boundary_aligned_many(self, text, spans, Py_ssize_t window=16, reach=None,
                                 OneToOneFold fold=None) -> list:
        """:meth:`is_boundary_aligned` for each ``(start, end)`` of `spans` (or ``(entry, start,
        end)``, a scan's raw hit), as a list of bools, in one native call.

        With `reach`, each span is judged in its own context,
        ``text[max(0, start - reach):min(len(text), end + reach)]``, exactly as
        ``is_boundary_aligned(context, start - lo, end - lo, window)`` would judge it (the
        context's ends are text ends). With `fold` (a :class:`OneToOneFold`), the contexts are
        read folded, as ``text.translate(fold_mapping)`` would read (one code point for one, so
        positions do not move); only the text the contexts cover is folded. Either way, a range
        that several spans' checks need (the han block that overlapping hits share) is segmented
        once per call: the answers are those of one segmentation per span, and nothing is kept
        between calls.

        >>> from hansieve.segment import default_segmenter
        >>> default_segmenter().is_boundary_aligned_many("我吸了大麻烦死了", [(3, 5), (3, 6)], reach=4)
        [False, True]
        """
        _check_text(text)
        if window < 0:
            raise ValueError(f"window must be >= 0, got {window}")
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), s, e, count, r = n
        if reach is not None:
            r = reach
            if r < 0:
                raise ValueError(f"reach must be >= 0, got {reach}")
            if r > n:
                r = n       # no further than the text (and no overflow in end + reach)
        cdef vector[Py_ssize_t] flat
        for item in spans:
            if type(item) is tuple and PyTuple_GET_SIZE(item) == 3:
                _, s, e = <tuple>item      # a scan's (entry, start, end) hit, as decide() passes
            else:
                s, e = item
            _check_span(n, s, e)
            flat.push_back(s)
            flat.push_back(e)
        count = flat.size() // 2
        cdef bytes out = PyBytes_FromStringAndSize(NULL, count)
        PyUnicode_READY(text)
        cdef int kind = PyUnicode_KIND(text), rc
        cdef const void* data = PyUnicode_DATA(text)
        cdef uint8_t* answers = <uint8_t*>PyBytes_AS_STRING(out)   # fresh: nobody else sees it
        if fold is not None:
            aligned_folded(&self._t, &fold._f, text, flat.data(), count, r, window, answers)
            return [b == 1 for b in out]
        # `text` stays referenced here, and str is immutable: safe to read without the GIL.
        with nogil:
            rc = aligned_windows_text(&self._t, kind, data, n, flat.data(), count, r, window,
                                      answers)
        if rc < 0:
            raise MemoryError("hansieve: cannot allocate segmentation work space")
        return [b == 1 for b in out]

    def suggest_freq(self, word) -> int:
        """jieba's ``Tokenizer.suggest_freq(word)`` (``tune=False``): the frequency that keeps
        `word` whole, ``max(int(P * total) + 1, FREQ.get(word, 1))``, where P multiplies
        ``FREQ.get(token, 1) / total`` over the tokens of ``cut(word)``. Natively, without a
        token object: a 1,000-character word costs microseconds, not a Python loop.

        >>> from hansieve.segment import default_segmenter
        >>> default_segmenter().suggest_freq("法轮功")
        61
        """
        _check_text(word)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), i, start
        cdef double p = 1.0
        cdef double ftotal = float(self._total)
        cdef int kind
        cdef const void* data
        cdef uint32_t s, a
        cdef uint8_t* bnd
        cdef bint han
        known = self.freq(word)
        bnd = <uint8_t*>malloc(n + 1)
        if bnd == NULL:
            raise MemoryError()
        try:
            segment_into(&self._t, word, 0, n, bnd)
            kind = PyUnicode_KIND(word)
            data = PyUnicode_DATA(word)
            start = 0
            for i in range(1, n + 1):
                if not bnd[i]:
                    continue
                # The token word[start:i]: walk the trie while it stays in the han blocks.
                han = True
                s = 0
                for k in range(start, i):
                    a = sym_at(&self._t, PyUnicode_READ(kind, data, k))
                    if a == NOT_HAN:
                        han = False
                        break
                    s = 0 if a == 0 else self._t.root_child[a] if k == start else child(&self._t, s, a)
                    if s == 0:
                        break
                if s != 0:
                    wclass = self._t.states[s].wclass
                    if wclass != 0:
                        p *= (<const uint64_t*>_ptr(self._buffers[5]))[wclass] / ftotal
                    else:
                        p *= 0.0        # a prefix of a word: jieba's FREQ holds 0 for it
                elif not han or self._unreachable:
                    f = self.freq(PyUnicode_Substring(word, start, i))     # rare: the slow path
                    p *= (1 if f is None else f) / ftotal
                else:
                    p *= 1 / ftotal
                start = i
        finally:
            free(bnd)
        return max(int(p * self._total) + 1, 1 if known is None else known)

    # ---- introspection --------------------------------------------------------------------

    def freq(self, word):
        """``FREQ.get(word)`` of the equivalent jieba Tokenizer: the word's frequency, 0 for a
        proper prefix of a word (or a word of frequency 0), None for anything else.

        >>> from hansieve.segment import default_segmenter
        >>> seg = default_segmenter()
        >>> seg.freq("大麻"), seg.freq("中华人民共"), seg.freq("麻烦大")
        (113, 0, None)
        """
        _check_text(word)
        cdef str w = word
        cdef Py_ssize_t i, n = len(w)
        cdef uint32_t s = 0, a
        if n == 0:
            return self._unreachable.get("")
        for i in range(n):
            a = sym_at(&self._t, ord(w[i]))
            if a == NOT_HAN or a == 0:
                s = 0
            elif i == 0:
                s = self._t.root_child[a]
            else:
                s = child(&self._t, s, a)
            if s == 0:
                break
        if s != 0:
            if self._t.states[s].wclass == 0:
                return 0
            return (<const uint64_t*>_ptr(self._buffers[5]))[self._t.states[s].wclass]
        if w in self._unreachable:
            return self._unreachable[w]
        for u in self._unreachable:
            if u.startswith(w):
                return 0
        return None

    def __len__(self):
        """The number of distinct words of non-zero frequency."""
        return self._n_words

    @property
    def total(self) -> int:
        """The sum of the frequencies (jieba's ``Tokenizer.total``)."""
        return self._total

    def memory_usage(self) -> int:
        """Bytes held by the native tables (trie, symbol table, weights)."""
        return sum(len(b) for b in self._buffers)

    def stats(self) -> dict:
        """Sizes of the native tables."""
        return {
            "words": self._n_words,
            "states": self._t.n_states,
            "symbols": self._n_syms,
            "weights": len(self._buffers[4]) // sizeof(double),
            "max_word_len": self._max_word_len,
            "total": self._total,
            "unreachable_words": len(self._unreachable),
            "memory_usage": self.memory_usage(),
        }

    def __repr__(self):
        return f"<hansieve.Segmenter words={self._n_words} states={self._t.n_states}>"

    def __reduce__(self):
        raise TypeError("a Segmenter cannot be pickled; build it in the worker")


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

cdef bytes _as_bytes(const void* p, size_t n):
    return (<const char*>p)[:n] if n else b""


cdef uint64_t _to_freq(object freq, object word) except? 0xFFFFFFFFFFFFFFFF:
    f = operator.index(freq)
    if f < 0:
        raise ValueError(f"frequency of {word!r} must be >= 0, got {f}")
    if f >= 0xFFFFFFFFFFFFFFFF:
        raise ValueError(f"frequency of {word!r} is too large: {f}")
    return f


@cython.final
cdef class _SegmentBuilder:
    """Accumulates words like jieba's FREQ dict (a later entry replaces an earlier one's
    frequency, every entry adds to the total) into a hash-map trie, then lays it out."""

    cdef hs_trie _trie
    cdef vector[uint64_t] _freq         # per temporary node; 0 = not a word
    cdef vector[uint16_t] _sym_of
    cdef uint32_t _n_syms
    cdef uint32_t _max_len
    cdef dict _unreachable
    cdef public object total

    def __cinit__(self):
        cdef uint32_t cp
        self._sym_of = vector[uint16_t](ALPHA_SIZE, 0)
        for cp in range(128):
            if not (is_ascii_alnum(cp) or cp in b"+#&._%-"):
                self._sym_of[cp] = NOT_HAN
        self._n_syms = 0
        self._max_len = 0
        self._freq.push_back(0)
        self._unreachable = {}
        self.total = 0

    cdef inline uint32_t _slot(self, uint32_t cp) noexcept:
        if cp < 128:
            return cp
        cp -= CJK_FIRST
        if cp < CJK_COUNT:
            return 128 + cp
        return ALPHA_SIZE

    cdef int _insert(self, object word, Py_ssize_t length, uint64_t f) except -1:
        """Set the frequency of ``word[:length]`` (its first `length` code points)."""
        cdef int kind = PyUnicode_KIND(word)
        cdef void* data = PyUnicode_DATA(word)
        cdef Py_ssize_t i
        cdef uint32_t cp, slot, node = 0, sym, n_nodes
        for i in range(length):
            slot = self._slot(PyUnicode_READ(kind, data, i))
            if slot == ALPHA_SIZE or self._sym_of[slot] == NOT_HAN:
                # A character jieba never puts in a han block: the word can never be matched.
                self._unreachable[word[:length] if length != len(word) else word] = f
                return 0
        if length == 0:
            self._unreachable[""] = f
            return 0
        for i in range(length):
            slot = self._slot(PyUnicode_READ(kind, data, i))
            sym = self._sym_of[slot]
            if sym == 0:
                self._n_syms += 1
                sym = self._sym_of[slot] = self._n_syms
            n_nodes = self._trie.n_nodes
            node = self._trie.child(node, sym)
            if node == 0:
                raise ValueError("dictionary too large: more than 2**32 trie states")
            if self._trie.n_nodes != n_nodes:
                self._freq.push_back(0)     # a new node
        self._freq[node] = f
        if <uint32_t>length > self._max_len:
            self._max_len = length
        return 0

    def add_word(self, word, freq):
        """``Tokenizer.add_word(word, freq)``: set the frequency, add it to the total."""
        _check_text(word)
        cdef uint64_t f = _to_freq(freq, word)
        PyUnicode_READY(word)
        self._insert(word, PyUnicode_GET_LENGTH(word), f)
        self.total += f

    def add_words(self, words, freqs):
        """``add_word`` of each pair of `words` and `freqs` (sized iterables of the same length:
        lists, tuples, a dict's keys and values), in order."""
        cdef uint64_t f
        if len(words) != len(freqs):
            raise ValueError(f"{len(words)} words but {len(freqs)} frequencies")
        acc = 0
        self._trie.child_of.reserve(self._trie.child_of.size() + 2 * len(words))
        for word, value in zip(words, freqs):
            _check_text(word)
            f = _to_freq(value, word)
            PyUnicode_READY(word)
            self._insert(word, PyUnicode_GET_LENGTH(word), f)
            acc += f
        self.total += acc

    def build(self):
        """The Segmenter of everything added so far (the builder can be dropped afterwards)."""
        total = self.total
        if total <= 0:
            raise ValueError(f"the total frequency must be > 0, got {total}")
        logtotal = math.log(total)
        cdef uint32_t n_nodes = self._trie.n_nodes, s
        cdef vector[uint64_t] distinct
        for s in range(n_nodes):
            if self._freq[s] != 0:
                distinct.push_back(self._freq[s])
        cdef Py_ssize_t n_words = distinct.size()
        sort(distinct.begin(), distinct.end())
        distinct.erase(unique(distinct.begin(), distinct.end()), distinct.end())
        # The weights with Python's own log and subtraction: bit-identical to jieba's calc().
        weights = array("d", [math.log(1) - logtotal])
        freqs = [0]
        for s in range(distinct.size()):
            weights.append(math.log(distinct[s]) - logtotal)
            freqs.append(distinct[s])

        cdef vector[SegStateC] states
        cdef vector[uint32_t] root_child
        cdef vector[uint16_t] label
        with nogil:
            _layout(self._trie, self._freq, distinct, states, label)
        self._trie.child_of.clear()
        root_child = vector[uint32_t](self._n_syms + 1, 0)
        for s in range(states[0].edge_begin, states[1].edge_begin):
            root_child[label[s]] = s + 1

        cdef Segmenter sg = Segmenter.__new__(Segmenter)
        cdef vector[uint64_t] freq_table
        for f in freqs:
            freq_table.push_back(f)
        sg._buffers = (
            _as_bytes(self._sym_of.data(), self._sym_of.size() * sizeof(uint16_t)),
            _as_bytes(root_child.data(), root_child.size() * sizeof(uint32_t)),
            _as_bytes(states.data(), states.size() * sizeof(SegStateC)),
            _as_bytes(label.data(), label.size() * sizeof(uint16_t)),
            weights.tobytes(),
            _as_bytes(freq_table.data(), freq_table.size() * sizeof(uint64_t)),
        )
        b = sg._buffers
        sg._t.sym_of = <const uint16_t*>_ptr(b[0])
        sg._t.root_child = <const uint32_t*>_ptr(b[1])
        sg._t.states = <const SegStateC*>_ptr(b[2])
        sg._t.label = <const uint16_t*>_ptr(b[3])
        sg._t.weight = <const double*>_ptr(b[4])
        sg._t.n_states = n_nodes
        sg._total = total
        sg._n_words = n_words + sum(1 for v in self._unreachable.values() if v)
        sg._n_syms = self._n_syms
        sg._max_word_len = self._max_len
        sg._unreachable = dict(self._unreachable)
        return sg


cdef int _layout(hs_trie& trie, const vector[uint64_t]& tmp_freq, const vector[uint64_t]& distinct,
                 vector[SegStateC]& states, vector[uint16_t]& label) except -1 nogil:
    """The trie breadth-first (a state's children are consecutive states and edge j leads to
    state j + 1): the sorted edge runs and the weight classes."""
    cdef uint32_t n_nodes = trie.n_nodes, s, old
    cdef size_t j, lo, hi, mid
    cdef uint64_t f
    cdef vector[uint32_t] begin, order
    trie.breadth_first(begin, order)
    states.resize(n_nodes + 1)
    label.reserve(trie.edges.size())
    for s in range(n_nodes):
        old = order[s]
        states[s].edge_begin = label.size()
        for j in range(begin[old], begin[old + 1]):
            label.push_back(<uint16_t>trie.edges[j].sym)
        f = tmp_freq[old]
        states[s].wclass = 0
        if f != 0:
            # Index of f among the sorted distinct frequencies, plus one.
            lo = 0
            hi = distinct.size()
            while lo < hi:
                mid = (lo + hi) >> 1
                if distinct[mid] < f:
                    lo = mid + 1
                else:
                    hi = mid
            states[s].wclass = <uint32_t>(lo + 1)
    states[n_nodes].edge_begin = label.size()
    states[n_nodes].wclass = 0
    return 0
