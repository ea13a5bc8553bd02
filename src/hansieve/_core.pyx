# The native core: the per-code-point fold table, the Aho-Corasick automaton and the scan loops.
#
# Compile-time work that needs Python (OpenCC data, term validation, the alphabet) happens in
# `compile.py`; this module turns its output into flat arrays and scans `str` buffers directly
# (PEP 393, no re-encoding) with the GIL released.

cimport cython
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport int32_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from cython.operator cimport dereference
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

cdef extern from "Python.h":
    int PyUnicode_READY(object) except -1
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)

cdef extern from *:
    """
    #include <algorithm>
    #include <vector>
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


# --------------------------------------------------------------------------------------------
# The scan loop
# --------------------------------------------------------------------------------------------

cdef inline int32_t code_of(const TablesC* t, uint32_t cp) noexcept nogil:
    return t.pages[(<Py_ssize_t>t.page_index[cp >> PAGE_BITS] << PAGE_BITS) | (cp & (PAGE_SIZE - 1))]


cdef inline uint32_t next_state(const TablesC* t, uint32_t s, uint32_t a) noexcept nogil:
    """Follow the goto edge for symbol `a`, taking failure links until one exists (the root has
    a dense row, so the walk always ends)."""
    cdef const StateC* st
    cdef uint32_t lo, hi, mid
    while s != 0:
        st = &t.states[s]
        lo = st.edge_begin
        hi = st.edge_end
        if hi - lo <= 8:
            # Most trie states over CJK text have one or two edges: a short linear scan wins.
            while lo < hi:
                if t.edges[lo].sym == a:
                    return t.edges[lo].target
                lo += 1
        else:
            while lo < hi:
                mid = (lo + hi) >> 1
                if t.edges[mid].sym < a:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < st.edge_end and t.edges[lo].sym == a:
                return t.edges[lo].target
        s = st.fail
    return t.root_next[a]


cdef struct ScanC:
    # Automaton state and the ring of original positions of the last term characters.
    uint32_t state
    Py_ssize_t n            # term symbols consumed so far
    Py_ssize_t* ring
    Py_ssize_t mask
    int gap                 # consecutive noise code points skipped inside a match
    bint first_only
    bint done
    vector[HitC]* hits
    # Leftmost-longest: the best hit so far that may still be beaten by one starting earlier.
    bint has_cand
    HitC cand
    Py_ssize_t cand_start_n
    Py_ssize_t cand_end_n
    Py_ssize_t last_end_n   # reported hits may not start before this symbol index


cdef inline void emit(ScanC* c, uint32_t term_id, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef HitC h
    h.term_id = term_id
    h.start = start
    h.end = end
    c.hits.push_back(h)
    if c.first_only:
        c.done = True


cdef inline void settle(ScanC* c, Py_ssize_t earliest_future_start) noexcept nogil:
    """Leftmost-longest: report the candidate once no future hit can start at or before it."""
    if c.has_cand and earliest_future_start > c.cand_start_n:
        c.has_cand = False
        c.last_end_n = c.cand_end_n
        emit(c, c.cand.term_id, c.cand.start, c.cand.end)


cdef inline void reset(const TablesC* t, ScanC* c) noexcept nogil:
    c.state = 0
    if t.leftmost_longest:
        settle(c, c.n)


cdef inline void feed(const TablesC* t, ScanC* c, uint32_t sym, Py_ssize_t pos) noexcept nogil:
    """Step the automaton by one term symbol read at original position `pos`."""
    cdef const StateC* st
    cdef uint32_t k, term_id
    cdef Py_ssize_t start_n
    c.state = next_state(t, c.state, sym)
    c.ring[c.n & c.mask] = pos
    c.n += 1
    c.gap = 0
    st = &t.states[c.state]
    if not t.leftmost_longest:
        for k in range(st.out_begin, st.out_end):
            term_id = t.outs[k]
            emit(c, term_id, c.ring[(c.n - t.term_len[term_id]) & c.mask], pos + 1)
            if c.done:
                return
        return
    # Every hit from here on starts at symbol n - depth or later.
    settle(c, c.n - st.depth)
    if c.done:
        return
    for k in range(st.out_begin, st.out_end):
        term_id = t.outs[k]
        start_n = c.n - t.term_len[term_id]
        if start_n < c.last_end_n:
            continue    # overlaps a reported hit; a shorter output may still fit
        if not c.has_cand or start_n < c.cand_start_n or (
                start_n == c.cand_start_n and c.n > c.cand_end_n):
            c.has_cand = True
            c.cand.term_id = term_id
            c.cand.start = c.ring[start_n & c.mask]
            c.cand.end = pos + 1
            c.cand_start_n = start_n
            c.cand_end_n = c.n
        return      # outputs are longest first: the first that fits is the best here


cdef Py_ssize_t scan(const TablesC* t, const char_t* data, Py_ssize_t length,
                     bint first_only, vector[HitC]* hits) noexcept nogil:
    """Scan one buffer; append hits to `hits`. Returns 0, or -1 when the ring cannot be allocated."""
    cdef ScanC c
    cdef Py_ssize_t stack_ring[STACK_RING]
    cdef Py_ssize_t i, cap
    cdef int32_t code
    cdef uint32_t k, e_end
    c.state = 0
    c.n = 0
    c.gap = 0
    c.first_only = first_only
    c.done = False
    c.hits = hits
    c.has_cand = False
    c.last_end_n = 0
    c.cand_start_n = 0
    c.cand_end_n = 0
    cap = 1
    while cap < <Py_ssize_t>t.max_depth:
        cap <<= 1
    if cap <= STACK_RING:
        c.ring = stack_ring
    else:
        c.ring = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
        if c.ring == NULL:
            return -1
    c.mask = cap - 1

    for i in range(length):
        code = code_of(t, data[i])
        if code > 0:
            feed(t, &c, <uint32_t>code, i)
            if c.done:
                break
        elif code == CODE_NOISE:
            if c.state != 0:
                c.gap += 1
                if c.gap > t.max_gap:
                    reset(t, &c)
                    if c.done:
                        break
        elif code == CODE_OTHER:
            if c.state != 0 or c.has_cand:
                reset(t, &c)
                if c.done:
                    break
        else:
            # One code point folds to several (⑩ -> 1 0): feed each, all at this position.
            k = t.exp_begin[-2 - code]
            e_end = t.exp_begin[-1 - code]
            while k < e_end and not c.done:
                if t.exp_syms[k] == 0:
                    reset(t, &c)
                else:
                    feed(t, &c, t.exp_syms[k], i)
                k += 1
            if c.done:
                break
    if not c.done and t.leftmost_longest:
        settle(&c, c.n + 1)
    if c.ring != stack_ring:
        free(c.ring)
    return 0


# --------------------------------------------------------------------------------------------
# Public classes
# --------------------------------------------------------------------------------------------

@cython.freelist(256)
@cython.final
cdef class Match:
    """One hit: lexicon term `term_id` found at ``text[start:end]`` (code-point offsets into the
    original string; the span starts and ends on a term character).

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
        """The lexicon term as written."""
        return self._sieve.terms[self.term_id]

    @property
    def category(self):
        return self._sieve._categories[self.term_id]

    @property
    def severity(self):
        return self._sieve._severities[self.term_id]

    @property
    def span(self) -> tuple:
        return (self.start, self.end)

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


def _plain_match(term_id, start, end, term, category, severity):
    import types
    return types.SimpleNamespace(term_id=term_id, start=start, end=end, term=term,
                                 category=category, severity=severity)


cdef inline void _check_text(object text) except *:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")


@cython.final
cdef class Sieve:
    """An immutable, thread-safe keyword matcher made by :func:`hansieve.compile`.

    Scans release the GIL; one Sieve may be shared by any number of threads.
    """

    def __cinit__(self):
        # Null every pointer before anything can fail, so a half-built Sieve scans nothing.
        self._t.page_index = NULL
        self._t.pages = NULL
        self._t.states = NULL
        self._t.n_states = 0
        self._buffers = ()

    def __init__(self, *args, **kwargs):
        raise TypeError("use hansieve.compile() to make a Sieve")

    # ---- scanning -------------------------------------------------------------------------

    cdef Py_ssize_t _scan(self, object text, bint first_only, vector[HitC]* hits) except -1:
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text)
        cdef int kind
        cdef void* data
        cdef Py_ssize_t rc = 0
        if self._t.n_states == 0 or length == 0:
            return 0
        PyUnicode_READY(text)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        # `text` stays referenced by the caller, and str is immutable: safe to read without the GIL.
        with nogil:
            if kind == 1:
                rc = scan(&self._t, <const uint8_t*>data, length, first_only, hits)
            elif kind == 2:
                rc = scan(&self._t, <const uint16_t*>data, length, first_only, hits)
            else:
                rc = scan(&self._t, <const uint32_t*>data, length, first_only, hits)
        if rc < 0:
            raise MemoryError("hansieve: cannot allocate the position ring for this lexicon")
        return 0

    cdef list _to_matches(self, vector[HitC]& hits):
        cdef list out = []
        cdef Match m
        cdef HitC h
        for h in hits:
            m = Match.__new__(Match)
            m.term_id = h.term_id
            m.start = h.start
            m.end = h.end
            m._sieve = self
            out.append(m)
        return out

    def find(self, text):
        """All hits in `text`, as a list of :class:`Match` ordered by end (then longest first);
        in leftmost-longest mode, the non-overlapping hits ordered by start.

        >>> import hansieve
        >>> s = hansieve.compile(["六四", "fuck"])
        >>> [(m.term, m.start, m.end) for m in s.find("六 四 ｆｕｃｋ")]
        [('六四', 0, 3), ('fuck', 4, 8)]
        """
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, False, &hits)
        return self._to_matches(hits)

    def contains(self, text) -> bool:
        """Whether `text` has any hit; stops at the first.

        >>> import hansieve
        >>> hansieve.compile(["法轮功"]).contains("法*輪*功")
        True
        """
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, True, &hits)
        return hits.size() > 0

    def first(self, text):
        """The first hit :meth:`find` would return, or None; stops scanning there."""
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, True, &hits)
        if hits.size() == 0:
            return None
        return self._to_matches(hits)[0]

    def count(self, text) -> int:
        """``len(self.find(text))`` without building the Match objects."""
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, False, &hits)
        return hits.size()

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

    # ---- introspection --------------------------------------------------------------------

    def __len__(self):
        return len(self.terms)

    @property
    def max_term_len(self) -> int:
        """Longest folded term, in code points."""
        return self._t.max_depth

    @property
    def options(self) -> dict:
        """The compile options this Sieve was built with (a copy)."""
        return dict(self._options)

    def memory_usage(self) -> int:
        """Bytes held by the native tables (automaton, outputs, fold table pages)."""
        return sum(len(b) for b in self._buffers)

    def stats(self) -> dict:
        """Sizes of the native tables, for tuning and benchmarks."""
        return {
            "terms": self._t.n_terms,
            "states": self._t.n_states,
            "symbols": self._t.n_syms,
            "max_depth": self._t.max_depth,
            "memory_usage": self.memory_usage(),
        }

    def __repr__(self):
        return (f"<hansieve.Sieve terms={len(self.terms)} states={self._t.n_states} "
                f"match_kind={self.match_kind}>")

    def __reduce__(self):
        raise TypeError("[E102] Sieve pickling comes with the compiled-file format; "
                        "recompile from the lexicon in the worker for now")


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

cdef inline const char* _ptr(bytes b):
    return <const char*>b


cdef bytes _as_bytes(const void* p, size_t n):
    return (<const char*>p)[:n] if n else b""


def _build_code_table(list sym_pairs, list noise_ranges, list expansions):
    """The per-code-point table as deduplicated pages.

    sym_pairs: (code point, symbol) for every code point that folds to one term character.
    noise_ranges: inclusive (lo, hi) ranges of noise code points.
    expansions: (code point, [symbol or 0, ...]) for code points that fold to several characters.
    Returns (page_index bytes, pages bytes, exp_begin bytes, exp_syms bytes).
    """
    cdef vector[int32_t] dense = vector[int32_t](N_PAGES * PAGE_SIZE, 0)
    cdef vector[uint32_t] exp_begin, exp_syms
    cdef uint32_t cp, lo, hi
    cdef Py_ssize_t k
    for lo, hi in noise_ranges:
        for cp in range(lo, hi + 1):
            dense[cp] = CODE_NOISE
    for cp, sym in sym_pairs:
        dense[cp] = sym
    exp_begin.push_back(0)
    for k, (cp, syms) in enumerate(expansions):
        dense[cp] = -2 - k
        for sym in syms:
            exp_syms.push_back(sym)
        exp_begin.push_back(exp_syms.size())
    # Identical pages (all "other", all noise, ...) are stored once.
    cdef vector[uint32_t] page_index = vector[uint32_t](N_PAGES, 0)
    seen = {}
    chunks = []
    cdef Py_ssize_t p
    for p in range(N_PAGES):
        page = _as_bytes(&dense[p * PAGE_SIZE], PAGE_SIZE * sizeof(int32_t))
        number = seen.get(page)
        if number is None:
            number = seen[page] = len(chunks)
            chunks.append(page)
        page_index[p] = number
    return (_as_bytes(page_index.data(), N_PAGES * sizeof(uint32_t)),
            b"".join(chunks),
            _as_bytes(exp_begin.data(), exp_begin.size() * sizeof(uint32_t)),
            _as_bytes(exp_syms.data(), exp_syms.size() * sizeof(uint32_t)))


cdef uint32_t _find_edge(const vector[EdgeC]& edges, const vector[StateC]& states, uint32_t s,
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


def _build_sieve(list folded_terms, tuple terms, tuple categories, tuple severities,
                 tuple code_table, Py_ssize_t n_syms, int max_gap, bint leftmost_longest,
                 object match_kind, dict options):
    """Build the automaton over `folded_terms` (one per term, already folded and non-empty,
    every character a term symbol of `code_table`) and return the Sieve."""
    cdef Sieve sv = Sieve.__new__(Sieve)
    page_index_b, pages_b, exp_begin_b, exp_syms_b = code_table
    cdef const uint32_t* page_index = <const uint32_t*><const char*>page_index_b
    cdef const int32_t* pages = <const int32_t*><const char*>pages_b
    cdef TablesC probe
    probe.page_index = page_index
    probe.pages = pages

    cdef Py_ssize_t n_terms = len(folded_terms)
    cdef unordered_map[uint64_t, uint32_t] child_of
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
    cdef unordered_map[uint64_t, uint32_t].iterator it
    if n_terms >= 0xFFFFFFFF:
        raise ValueError("[E103] too many terms")

    # 1. The trie, with temporary node ids.
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
                raise AssertionError(f"term {terms[t]!r}: folded character {term[i]!r} has no symbol")
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

    cdef vector[StateC] states
    cdef vector[EdgeC] edges
    cdef vector[uint32_t] outs
    cdef vector[uint32_t] root_next = vector[uint32_t](n_syms + 1, 0)
    with nogil:
        _layout(tmp_edges, term_node, n_nodes, states, edges, outs)
    cdef uint32_t k
    for k in range(states[0].edge_begin, states[0].edge_end):
        root_next[edges[k].sym] = edges[k].target

    sv._buffers = (
        page_index_b, pages_b, exp_begin_b, exp_syms_b,
        _as_bytes(states.data(), states.size() * sizeof(StateC)),
        _as_bytes(edges.data(), edges.size() * sizeof(EdgeC)),
        _as_bytes(outs.data(), outs.size() * sizeof(uint32_t)),
        _as_bytes(root_next.data(), root_next.size() * sizeof(uint32_t)),
        _as_bytes(term_len.data(), term_len.size() * sizeof(uint32_t)),
    )
    b = sv._buffers
    sv._t.page_index = <const uint32_t*>_ptr(b[0])
    sv._t.pages = <const int32_t*>_ptr(b[1])
    sv._t.exp_begin = <const uint32_t*>_ptr(b[2])
    sv._t.exp_syms = <const uint32_t*>_ptr(b[3])
    sv._t.states = <const StateC*>_ptr(b[4])
    sv._t.edges = <const EdgeC*>_ptr(b[5])
    sv._t.outs = <const uint32_t*>_ptr(b[6])
    sv._t.root_next = <const uint32_t*>_ptr(b[7])
    sv._t.term_len = <const uint32_t*>_ptr(b[8])
    sv._t.n_states = states.size()
    sv._t.n_syms = n_syms
    sv._t.n_terms = n_terms
    sv._t.max_depth = max_depth
    sv._t.max_gap = max_gap
    sv._t.leftmost_longest = leftmost_longest
    sv.terms = terms
    sv._categories = categories
    sv._severities = severities
    sv.match_kind = match_kind
    sv._options = options
    return sv


cdef void _layout(vector[hs_edge_tmp]& tmp_edges, const vector[uint32_t]& term_node,
                  uint32_t n_nodes, vector[StateC]& states, vector[EdgeC]& edges,
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
