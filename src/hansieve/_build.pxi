# Building
#
# Code and word tables, the trie and its breadth-first layout, failure links, outputs, and
# the edge filter, attaching a Sieve to its arrays.
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

cdef extern from "_build.h":
    int hs_release_free_memory() noexcept nogil
    void _stable_sort_by_count "hs_stable_sort_by_count"(vector[uint32_t]& order,
                                                         const vector[uint64_t]& counts) except +

from libc.string cimport memcpy
from cpython.unicode cimport PyUnicode_4BYTE_KIND, PyUnicode_FromKindAndData, PyUnicode_READ

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
          "text_blob", "category_idx", "severity_idx", "base_of", "mechanism_idx", "edge_filter",
          "channel")


def _build_sieve(list folded_terms, tuple code_table, tuple word_table, bytes term_flags,
                 list texts, list category_idx, list severity_idx, list base_of,
                 list mechanism_idx, dict header, bytes channel=b""):
    """Build the automaton over `folded_terms` (one per automaton term, already folded and
    non-empty, every character a term symbol of `code_table`) and return the Sieve.

    `texts`, `category_idx` and `severity_idx` cover every entry: the automaton terms, then the
    virtual entries of combination rules (and of the disguise channel). `header` carries the
    counts and options that a compiled file records. `channel`: the disguise channel's
    automaton, a serialised Sieve whose term k is entry ``counts["channel_first"] + k`` (or
    empty)."""
    page_index_b, pages_b, exp_begin_b, exp_syms_b = code_table
    cdef TablesC probe
    probe.page_index = <const uint32_t*><const char*>page_index_b
    probe.pages = <const int32_t*><const char*>pages_b

    cdef Py_ssize_t n_terms = len(folded_terms)
    cdef hs_trie trie       # the build-time trie shared with the segmenter (_trie.pxd)
    cdef vector[uint32_t] term_node = vector[uint32_t](n_terms, 0)
    cdef vector[uint32_t] term_len = vector[uint32_t](n_terms, 0)
    cdef uint32_t node, max_depth = 0
    cdef Py_ssize_t t, i, length
    cdef int32_t code
    cdef int kind
    cdef void* data
    cdef str term
    if n_terms >= 0xFFFFFFF0 or len(texts) >= 0xFFFFFFF0:
        raise BuildError("[E103] too many terms: at most 2**32 - 16 entries")

    # 1. The trie, with temporary node ids. At most one node per term character: reserving
    # that much up front spares the hash map its rehashes (a 349k-word build: ~0.1 s).
    cdef size_t n_chars = 0
    for t in range(n_terms):
        term = folded_terms[t]
        n_chars += PyUnicode_GET_LENGTH(term)
    trie.child_of.reserve(n_chars)
    trie.edges.reserve(n_chars)
    # path[i]: the node of the previous term's first i characters. A term walks the characters
    # it shares with the previous one from there, without a hash lookup each (terms sharing a
    # long prefix cost ~1 ns a shared character instead of ~50).
    cdef vector[uint32_t] path = vector[uint32_t](1, 0)
    cdef int prev_kind = 1
    cdef void* prev_data = NULL
    cdef Py_ssize_t prev_len = 0, shared
    for t in range(n_terms):
        term = folded_terms[t]
        PyUnicode_READY(term)
        kind = PyUnicode_KIND(term)
        data = PyUnicode_DATA(term)
        length = PyUnicode_GET_LENGTH(term)
        shared = 0
        while shared < length and shared < prev_len and \
                PyUnicode_READ(kind, data, shared) == PyUnicode_READ(prev_kind, prev_data, shared):
            shared += 1
        if <size_t>length >= path.size():
            path.resize(length + 1)
        node = path[shared]
        for i in range(shared, length):
            if kind == 1:
                code = code_of(&probe, (<const uint8_t*>data)[i])
            elif kind == 2:
                code = code_of(&probe, (<const uint16_t*>data)[i])
            else:
                code = code_of(&probe, (<const uint32_t*>data)[i])
            if code <= 0:
                raise BuildError(f"[E108] term {texts[t]!r}: folded character {term[i]!r} has no symbol "
                                 "(the folded terms and the code table disagree)")
            node = trie.child(node, <uint32_t>code)
            if node == 0:
                raise BuildError("[E104] lexicon too large: more than 2**32 automaton states")
            path[i + 1] = node
        prev_kind, prev_data, prev_len = kind, data, length
        term_node[t] = node
        term_len[t] = length
        if <uint32_t>length > max_depth:
            max_depth = length
    trie.child_of.clear()

    cdef vector[BuildStateC] states
    cdef vector[EdgeC] edges
    cdef vector[uint32_t] outs
    cdef Py_ssize_t n_syms = header["counts"]["n_syms"]
    cdef vector[uint32_t] root_next = vector[uint32_t](n_syms + 1, 0)
    cdef vector[uint32_t] tmp_begin, queue
    with nogil:
        trie.breadth_first(tmp_begin, queue)
        _layout(trie, tmp_begin, queue, term_node, states, edges, outs)
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

    # The edge filter, built once here and stored with the automaton (a load only maps it).
    cdef TablesC tmp
    tmp.states = packed.data()
    tmp.edges = edges.data()
    cdef size_t n_filtered = filtered_edges(&tmp, states.size())
    cdef vector[uint64_t] filt = vector[uint64_t](filter_words(n_filtered), 0)
    if n_filtered:
        fill_edge_filter(&tmp, states.size(), filt.data(), filt.size())

    # Entry texts as one UTF-8 blob with offsets: decoded only when a Match's term is read.
    encoded = [s.encode("utf-8", "surrogatepass") for s in texts]
    cdef vector[uint32_t] text_offsets
    text_offsets.push_back(0)
    cdef size_t total = 0
    for b in encoded:
        total += len(b)
        if total >= 0xFFFFFFFF:
            raise BuildError("[E105] term texts exceed 4 GiB")
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
        term_flags,
        word_table[0], word_table[1],
        _as_bytes(text_offsets.data(), text_offsets.size() * sizeof(uint32_t)),
        b"".join(encoded),
        bytes(category_idx),
        bytes(severity_idx),
        _u32(base_of),
        bytes(mechanism_idx),
        _as_bytes(filt.data(), filt.size() * sizeof(uint64_t)),
        channel,
    )
    return _attach(arrays, arrays, header, _runtime_for(header))


cdef Sieve _attach(tuple arrays, object owners, dict header, object runtime):
    """Point a new Sieve at `arrays` (buffer objects, in ARRAYS order) kept alive by `owners`,
    with what `runtime` (_runtime_for(header)) attaches. The arrays are immutable (bytes, or a
    read-only mapping): nothing changes a Sieve once made."""
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
    sv.match_kind = runtime.match_kind
    sv._severity_names = (None,) + tuple(runtime.severities)
    sv._actions = tuple(runtime.actions)
    sv._verifier = runtime.verifier
    sv._rules = runtime.rules
    sv._rule_stream = runtime.rule_stream
    sv._glued = getattr(runtime, "glued", None)
    sv._disguise = runtime.disguise
    if len(arrays[19]):
        _attach_channel(sv, arrays[19], owners, counts.get("channel_first"), runtime)
    sv._buffers = owners
    cdef uint32_t n_states = counts["n_states"]
    # The edge filter is stored in the file (its size checked by _validate): a forged one can
    # only make the scan miss hits, which a forged automaton can do anyway under a valid
    # checksum. The Sieve owns a copy (a memcpy: ~50 us for 349k words, where building it took
    # milliseconds), which it frees.
    cdef size_t words = len(arrays[18]) // sizeof(uint64_t)
    if words:
        sv._edge_filter = <uint64_t*>malloc(words * sizeof(uint64_t))
        if sv._edge_filter == NULL:
            raise MemoryError("hansieve: cannot allocate the edge filter")
        memcpy(sv._edge_filter, <const void*><uintptr_t>ptrs[18], words * sizeof(uint64_t))
    sv._t.edge_filter = sv._edge_filter
    sv._t.filter_shift = 64 - _log2(words) if words else 0
    # Last: a Sieve with n_states == 0 scans nothing, so it is safe until every pointer is set.
    sv._t.n_states = n_states
    return sv


cdef int _log2(size_t words) noexcept nogil:
    cdef int log2 = 0
    while (<size_t>1 << log2) < words:
        log2 += 1
    return log2


cdef size_t filtered_edges(const TablesC* t, uint32_t n_states) noexcept nogil:
    """Edges of the states next_state consults the edge filter for: every state but the root
    (which has its dense row). Edge runs are consecutive: those of states 1.. end at the
    sentinel record's."""
    if n_states <= 1:
        return 0
    return t.states[n_states].edge_begin - t.states[1].edge_begin


cdef size_t filter_words(size_t n) noexcept nogil:
    """64-bit words of the edge filter over `n` edges: none for none, else a power of two of at
    least two (the word index is h >> filter_shift < 64)."""
    cdef size_t words = 2
    if n == 0:
        return 0
    while words * 64 < n * FILTER_BITS_PER_EDGE:
        words <<= 1
    return words


cdef void fill_edge_filter(const TablesC* t, uint32_t n_states, uint64_t* filt,
                           size_t words) noexcept nogil:
    """Set the bits of every edge of `t`'s states other than the root in `filt` (zeroed,
    filter_words(...) long)."""
    cdef int shift = 64 - _log2(words)
    cdef uint32_t s
    cdef size_t k
    cdef uint64_t h
    for s in range(1, n_states):
        for k in range(t.states[s].edge_begin, t.states[s + 1].edge_begin):
            h = edge_hash(s, t.edges[k].sym)
            filt[h >> shift] |= edge_bits(h)


cdef void _layout(const hs_trie& trie, const vector[uint32_t]& tmp_begin,
                  const vector[uint32_t]& queue, const vector[uint32_t]& term_node,
                  vector[BuildStateC]& states, vector[EdgeC]& edges,
                  vector[uint32_t]& outs) noexcept nogil:
    """Lay out the trie in breadth-first order (hot shallow states packed together) as sorted
    edge runs, and compute failure links and the flattened per-state output lists.
    `tmp_begin` and `queue` are hs_trie.breadth_first's: where each temporary node's edges start
    in trie.edges (sorted by symbol), and queue[new id] = temporary id."""
    cdef uint32_t n_nodes = trie.n_nodes
    cdef size_t n_edges = trie.edges.size(), j
    cdef uint32_t s, old, c, f, a, r, k
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

    # Edges in breadth-first order: the children of the states in queue order are consecutive,
    # so the k-th edge laid out leads to state k + 1.
    states.resize(n_nodes)
    edges.reserve(n_edges)
    cdef EdgeC e
    states[0].depth = 0
    for s in range(n_nodes):
        old = queue[s]
        states[s].edge_begin = edges.size()
        for j in range(tmp_begin[old], tmp_begin[old + 1]):
            e.sym = trie.edges[j].sym
            e.target = edges.size() + 1
            states[e.target].depth = states[s].depth + 1
            edges.push_back(e)
        states[s].edge_end = edges.size()

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


def _release_build_memory():
    """Return the memory a build freed to the OS (glibc's malloc_trim; elsewhere nothing).

    A build of 349k terms peaks at ~200 MB of Python lists, dicts and C++ vectors and keeps
    ~22 MB; glibc keeps the freed rest mapped, so without this the process stays ~100 MB larger
    than the Sieve it holds. Returns whether any memory was released."""
    cdef int released
    with nogil:
        released = hs_release_free_memory()
    return bool(released)


# ---- per-character passes of compile() over the whole lexicon, in native code --------------
# (a 100,000-term lexicon of 1,003-character terms is 100M characters: str.translate with a
# dict and collections.Counter cost ~300 ns a character between them)

# A fold entry is the folded code point minus the code point (identity: 0, so the pages of
# code points no fold touches are all one shared page), or one of these markers:
cdef int32_t FOLD_DROP = -0x7FFFFFFF - 1   # noise: the character disappears
cdef int32_t FOLD_MULTI = -0x40000000       # - i: the character folds to multi[i] (0 or 2+ chars)


cdef class _KeyFolder:
    """A fold map as a paged per-code-point table (see _key_folder): ~100 KB, not 4 MB."""
    cdef bytes page_index, pages
    cdef list multi                # folds longer than one character (or empty)


def _key_folder(dict mapping, object noise_ranges):
    """The fold `str.translate` does with {noise: None} updated with `mapping` (code point ->
    folded str), as a table _fold_keys reads."""
    cdef _KeyFolder kf = _KeyFolder.__new__(_KeyFolder)
    cdef vector[int32_t] dense = vector[int32_t](N_PAGES * PAGE_SIZE, 0)
    cdef uint32_t cp, lo, hi
    for lo, hi in noise_ranges:
        for cp in range(lo, hi + 1):
            dense[cp] = FOLD_DROP
    kf.multi = []
    for cp, folded in mapping.items():
        if len(folded) == 1:
            dense[cp] = <int32_t>ord(folded) - <int32_t>cp
        else:
            dense[cp] = FOLD_MULTI - <int32_t>len(kf.multi)
            kf.multi.append(folded)
    kf.page_index, kf.pages = _paged(dense, 4)
    return kf


def _fold_keys(_KeyFolder kf, list terms):
    """Each of `terms` folded by `kf` (what FoldMap.fold_terms returns)."""
    cdef vector[Py_UCS4] buf
    cdef Py_ssize_t i, j, n
    cdef int kind
    cdef void* data
    cdef uint32_t cp
    cdef int32_t f
    cdef str term, piece
    cdef const uint32_t* page_index = <const uint32_t*><const char*>kf.page_index
    cdef const int32_t* pages = <const int32_t*><const char*>kf.pages
    out = [None] * len(terms)
    for j in range(len(terms)):
        term = terms[j]
        PyUnicode_READY(term)
        kind = PyUnicode_KIND(term)
        data = PyUnicode_DATA(term)
        n = PyUnicode_GET_LENGTH(term)
        buf.clear()
        for i in range(n):
            if kind == 1:
                cp = (<const uint8_t*>data)[i]
            elif kind == 2:
                cp = (<const uint16_t*>data)[i]
            else:
                cp = (<const uint32_t*>data)[i]
            f = code_in(page_index, pages, cp)
            if f > FOLD_MULTI:
                buf.push_back(<Py_UCS4>(<int32_t>cp + f))
            elif f != FOLD_DROP:
                piece = kf.multi[FOLD_MULTI - f]
                for ch in piece:
                    buf.push_back(ord(ch))
        out[j] = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf.data(), buf.size())
    return out


def _char_order(list keys):
    """The distinct characters of `keys` as code points, most frequent first, ties in order of
    first occurrence (the order of collections.Counter("".join(keys)).most_common())."""
    # counts per code point, a page allocated when one of its code points first occurs
    cdef vector[uint64_t] counts = vector[uint64_t](PAGE_SIZE, 0)    # page 0: the unused one
    cdef vector[uint32_t] page_of = vector[uint32_t](N_PAGES, 0)
    cdef vector[uint32_t] order
    cdef Py_ssize_t i, j, n
    cdef int kind
    cdef void* data
    cdef uint32_t cp
    cdef size_t slot
    cdef str key
    for j in range(len(keys)):
        key = keys[j]
        PyUnicode_READY(key)
        kind = PyUnicode_KIND(key)
        data = PyUnicode_DATA(key)
        n = PyUnicode_GET_LENGTH(key)
        for i in range(n):
            if kind == 1:
                cp = (<const uint8_t*>data)[i]
            elif kind == 2:
                cp = (<const uint16_t*>data)[i]
            else:
                cp = (<const uint32_t*>data)[i]
            if page_of[cp >> PAGE_BITS] == 0:
                page_of[cp >> PAGE_BITS] = counts.size() // PAGE_SIZE
                counts.resize(counts.size() + PAGE_SIZE, 0)
            slot = (<size_t>page_of[cp >> PAGE_BITS] << PAGE_BITS) | (cp & (PAGE_SIZE - 1))
            if counts[slot] == 0:
                order.push_back(cp)
            counts[slot] += 1
    # each distinct character's count, in `order`'s order, for the sort
    cdef vector[uint64_t] totals = vector[uint64_t](order.size())
    cdef vector[uint32_t] ranks = vector[uint32_t](order.size())
    for i in range(<Py_ssize_t>order.size()):
        cp = order[i]
        totals[i] = counts[(<size_t>page_of[cp >> PAGE_BITS] << PAGE_BITS) | (cp & (PAGE_SIZE - 1))]
        ranks[i] = i
    _stable_sort_by_count(ranks, totals)
    return [order[ranks[i]] for i in range(<Py_ssize_t>order.size())]
