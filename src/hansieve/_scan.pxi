# The scan loop
#
# Code point -> code -> automaton step, hit reporting, leftmost-longest settling, and the
# per-message task of find_many's thread pool (_batch.h).
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

cdef extern from "_batch.h":
    ctypedef void (*hs_task)(void*, size_t) noexcept nogil
    cdef struct hs_batch:
        size_t n_chunks
    hs_batch* hs_batch_start(hs_task task, void* ctx, size_t n, size_t chunk, int threads) except + nogil
    bint hs_batch_step(hs_batch* b) noexcept nogil
    bint hs_batch_ready(const hs_batch* b, size_t c) noexcept nogil
    void hs_batch_wait(const hs_batch* b, size_t c) noexcept nogil
    void hs_batch_finish(hs_batch* b) noexcept nogil

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


# Symbols people put in place of a character (法*功, f*ck): * _, their full-width forms,
# × ○ ● □ ■ ◯ △ ✕ ✖. A mask symbol is noise; a masked form (TERM_MASKED) is reported only where
# one was skipped. Defined here only: _core.MASK_CHARS exports them (hansieve.variants uses them).
cdef extern from *:
    """
    // * × ○ ● □ ■ _ ◯ △ ✕ ✖ ＊ ＿ (variants.NOISE_MASKS is this list, in this order)
    static const uint32_t hs_mask_cps[] = {0x2A, 0xD7, 0x25CB, 0x25CF, 0x25A1, 0x25A0, 0x5F,
                                           0x25EF, 0x25B3, 0x2715, 0x2716, 0xFF0A, 0xFF3F};
    enum { HS_N_MASK_CPS = sizeof(hs_mask_cps) / sizeof(hs_mask_cps[0]) };
    """
    const uint32_t* MASK_CPS "hs_mask_cps"
    enum: N_MASK_CPS "HS_N_MASK_CPS"


cdef inline bint is_mask_cp(uint32_t cp) noexcept nogil:
    """Whether `cp` is a mask symbol (only asked for noise inside a match, when the lexicon has
    masked forms)."""
    cdef int i
    for i in range(N_MASK_CPS):
        if MASK_CPS[i] == cp:
            return True
    return False


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


cdef inline int admit(const TablesC* t, const ScanC* c, uint8_t flags, Py_ssize_t start,
                      Py_ssize_t end) noexcept nogil:
    """The whole-word and masked-form rules for a hit of an entry with one of their bits: -1
    when they reject it, else the hit flags they add. A glued pinyin entry (TERM_GLUED) that
    touches a letter or digit is not rejected here but flagged HIT_GLUED: whether the Latin run
    around it splits into pinyin syllables at its ends is decided with the other decisions
    after the scan (classify() in _decide.pxi; the check itself is the runtime's)."""
    if not mask_ok(c, flags, start):
        return -1
    if whole_word_ok(t, c, flags, start, end):
        return 0
    return HIT_GLUED if flags & TERM_GLUED else -1


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


cdef inline bint undecided(const TablesC* t, uint32_t term_id, uint32_t flags) noexcept nogil:
    """Whether a check after the scan may still drop this hit: the boundary check, or the
    pinyin-run check of a glued pinyin hit."""
    return (flags & HIT_GLUED) or needs_verification(t, term_id, flags)


cdef inline void emit(const TablesC* t, ScanC* c, uint32_t term_id, uint32_t flags,
                      Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef HitC h
    if c.counted != NULL and not t.has_allow and not undecided(t, term_id, flags) and not (
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
    if c.first_only and not t.has_allow and not undecided(t, term_id, flags) and not (
            t.term_flags[term_id] & (TERM_ALLOW | TERM_HIDDEN)):
        c.done = True


cdef void settle(const TablesC* t, ScanC* c, Py_ssize_t earliest_future_start) noexcept nogil:
    """Leftmost-longest: report, greedily, every pending hit that no later hit can beat: the
    leftmost (then longest, then lowest term id) of those starting before any future hit can.
    Entries sharing that hit's key (two terms folding together, or a spelling of one that is
    another's key or spelling) read the same symbols: each is reported too, same span, in term
    id order (they end in one state, whose outputs list them in that order)."""
    cdef vector[PendingC]* p = c.pending
    cdef size_t i, best, kept
    cdef Py_ssize_t best_start_n, best_end_n
    cdef uint32_t best_id
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
        best_start_n, best_end_n, best_id = p[0][best].start_n, p[0][best].end_n, p[0][best].term_id
        emit(t, c, best_id, p[0][best].flags, p[0][best].start, p[0][best].end)
        for i in range(p.size()):
            if c.done:
                break
            if (p[0][i].start_n == best_start_n and p[0][i].end_n == best_end_n
                    and p[0][i].term_id != best_id):
                emit(t, c, p[0][i].term_id, p[0][i].flags, p[0][i].start, p[0][i].end)
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
    cdef int extra
    cdef Py_ssize_t start_n, start
    if not t.leftmost_longest:
        for k in range(st.out_begin, st[1].out_begin):
            term_id = t.outs[k]
            start = c.ring[(c.n - t.term_len[term_id]) & c.mask]
            flags = t.term_flags[term_id]
            extra = 0
            if flags & (TERM_WW_START | TERM_WW_END | TERM_MASKED):
                extra = admit(t, c, flags, start, pos + 1)
                if extra < 0:
                    continue
            emit(t, c, term_id, hit_flags(c, start) | extra, start, pos + 1)
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
        extra = 0
        if flags & (TERM_WW_START | TERM_WW_END | TERM_MASKED):
            extra = admit(t, c, flags, start, pos + 1)
            if extra < 0:
                continue
        h.term_id = term_id
        h.flags = hit_flags(c, start) | extra
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
    uint8_t* failed         # per message: 1 when its ring could not be allocated (a worker writes
                            # only the bytes of the messages it scans: no shared flag to race on)


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
        b.failed[i] = 1
