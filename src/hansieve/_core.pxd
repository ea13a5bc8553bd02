# Declarations of the native core. `_core.pyx` implements them.
#
# Every table the scan loop reads is a flat array. A Sieve borrows pointers to them from
# buffer objects it keeps alive (`Sieve._buffers`), so the same struct can later point into an
# mmap'ed compiled file without copying.

from libc.stdint cimport int32_t, uint8_t, uint16_t, uint32_t, uint64_t
from libcpp.vector cimport vector

# Codes of the per-code-point table (`TablesC.pages`).
cdef enum:
    CODE_OTHER = 0      # not in any term: the automaton goes back to the root
    CODE_NOISE = -1     # skipped inside a match, up to `max_gap` in a row
    CODE_PUNCT = -2     # separators (sentence punctuation, whitespace): skipped like noise, but a
                        # hit spanning one must pass word-boundary verification
    # > 0: the symbol id of a term character; <= -3: expansion number (-3 - code)

# Per-hit flags (`HitC.flags`).
cdef enum:
    HIT_SPANS_PUNCT = 1     # a separator inside the span: verify before reporting
    HIT_SPANS_NOISE = 2     # other noise (symbols, emoji, zero-width) inside the span: evidence
                            # of evasion, so a boundary-verified term is reported unverified
    HIT_CHANNEL = 4         # found by the disguise channel (sound, shape, emoji, fillers):
                            # the disguise judge decides it
    HIT_HOW_SHIFT = 16      # a judged channel hit: the judge's code (disguise.py) << this
    HIT_GLUED = 8           # a TERM_GLUED entry whose whole-word rule failed: Latin letters touch
                            # an end, and the pinyin-run check decides (decide.pxi, classify)

# Per-term flags (`TablesC.term_flags`).
cdef enum:
    TERM_ALLOW = 1          # allowlist entry: drops deny hits inside its span, never reported
    TERM_HIDDEN = 2         # combination-rule operand: feeds rules, never reported alone
    TERM_WW_START = 4       # starts with an ASCII letter/digit: no letter/digit may precede
    TERM_WW_END = 8         # ends with one: no letter/digit may follow
    TERM_VERIFY = 16        # keep only where word segmentation agrees (boundary check)
    TERM_MASKED = 32        # a masked form (the term with one inner character deleted): reported
                            # only where a mask symbol (* × ○ □ ...) was skipped inside the hit
    TERM_GLUED = 64         # a pinyin key of 2+ syllables: may touch Latin letters where the run
                            # around it splits into pinyin syllables at its ends (laogemade in
                            # woshilaogemade), which the runtime's pinyin-run check decides

cdef enum:
    PAGE_BITS = 8
    PAGE_SIZE = 256
    N_PAGES = 0x1100    # 0x110000 code points / PAGE_SIZE
    STACK_RING = 64     # ring slots kept on the stack; longer terms use a heap ring

cdef struct StateC:
    # 16 bytes. A state's runs end where the next state's begin: the states array has one
    # sentinel record after the last state.
    uint32_t edge_begin     # outgoing edges: edges[edge_begin:next.edge_begin], sorted by symbol
    uint32_t fail           # failure link
    uint32_t out_begin      # term ids that end here, failure chain included:
                            # outs[out_begin:next.out_begin], longest first
    uint32_t depth          # symbols from the root

cdef struct BuildStateC:    # a state while the automaton is built
    uint32_t edge_begin
    uint32_t edge_end
    uint32_t fail
    uint32_t out_begin
    uint32_t out_end
    uint32_t depth

cdef struct EdgeC:
    uint32_t sym
    uint32_t target

cdef struct HitC:
    uint32_t term_id
    uint32_t flags          # HIT_* bits
    Py_ssize_t start        # code-point offsets into the caller's string, half-open
    Py_ssize_t end

cdef struct PendingC:     # leftmost-longest: a hit that may still be reported
    uint32_t term_id
    uint32_t flags
    Py_ssize_t start        # original positions
    Py_ssize_t end
    Py_ssize_t start_n      # symbol indexes
    Py_ssize_t end_n

cdef struct TablesC:
    const uint32_t* page_index  # code point >> PAGE_BITS -> page number
    const int32_t* pages        # page * PAGE_SIZE + (code point & 0xFF) -> code (see above)
    const uint32_t* exp_begin   # expansion k: exp_syms[exp_begin[k]:exp_begin[k + 1]] (0 = other)
    const uint32_t* exp_syms
    const StateC* states        # state 0 is the root, numbered breadth-first; n_states + 1 records
    const EdgeC* edges
    const uint32_t* outs
    const uint32_t* root_next   # dense transition row of the root, indexed by symbol
    const uint32_t* term_len    # folded length of each term, in symbols
    const uint8_t* term_flags   # TERM_* bits of each term
    const uint32_t* word_index  # code point >> PAGE_BITS -> page of word_pages
    const uint8_t* word_pages   # 1 where a code point folds to an ASCII letter or digit
    const uint64_t* edge_filter # bits set per (state, symbol) edge of every state but the root
                                # (a blocked Bloom filter: two bits in one word; NULL when only
                                # the root has edges), built at load: a miss skips the search
                                # (see next_state)
    uint32_t filter_shift       # 64 - log2(filter words)
    uint32_t n_states
    uint32_t n_syms             # symbols are 1..n_syms
    uint32_t n_terms
    uint32_t max_depth
    int max_gap
    bint leftmost_longest
    bint has_allow              # some term is TERM_ALLOW: a scan may not stop at its first hit
    bint has_masked             # some term is TERM_MASKED: track mask symbols while skipping noise
    bint collapse_repeats       # 法法轮轮功: skip a repeated symbol the current state cannot take

ctypedef fused char_t:
    uint8_t
    uint16_t
    uint32_t

cdef class Match:
    cdef readonly Py_ssize_t term_id    # the lexicon term reported (a variant's base term)
    cdef readonly Py_ssize_t start
    cdef readonly Py_ssize_t end
    cdef Py_ssize_t _entry              # the automaton entry that matched (the variant itself)
    cdef Sieve _sieve
    cdef object _source                 # the scanned str (a stream: its buffer), for .text
    cdef Py_ssize_t _offset             # where _source starts in the scanned text
    cdef uint8_t _how                   # a disguise hit: the judge's code (0: not one)
    cdef uint8_t _spans                 # the raw hit's HIT_SPANS_PUNCT / HIT_SPANS_NOISE bits

cdef class Verdict:
    cdef readonly str action            # "block", "review" or "pass"
    cdef readonly object severity       # the strongest severity among the hits, or None
    cdef readonly tuple categories      # the hits' categories, sorted
    cdef readonly list matches

cdef class Sieve:
    cdef TablesC _t
    cdef object __weakref__         # caches and services may hold Sieves weakly
    cdef uint64_t* _edge_filter     # owned: TablesC.edge_filter
    cdef object _buffers        # owners of the memory the pointers point into (bytes, or an mmap)
    cdef const uint32_t* _text_offsets  # entry i's text: _text_blob[_text_offsets[i]:_text_offsets[i+1]]
    cdef const char* _text_blob
    cdef const uint8_t* _category_idx   # 0 = none, else index + 1 into _category_names
    cdef const uint8_t* _severity_idx   # 0 = none, 1 block, 2 review, 3 notice
    cdef const uint32_t* _base_of       # entry -> the entry it stands for (itself unless a variant)
    cdef const uint8_t* _mechanism_idx  # entry -> index into _mechanism_names (0 = "exact")
    cdef tuple _mechanism_names
    cdef Py_ssize_t _n_entries  # automaton terms, then virtual rule entries
    cdef Py_ssize_t _n_deny     # deny terms come first
    cdef tuple _category_names
    cdef dict _header           # options, counts, rules, lexicon identity: what to_bytes writes
    cdef tuple _terms_cache
    cdef dict _payloads         # deny term id -> payload, from the header's extras (on first use)
    # What the runtime factory (_register_runtime) attached, from the header: read-only.
    cdef readonly object match_kind
    cdef readonly object _verifier  # callable(text, hits) -> list of bool (boundary check), or None
    cdef object _rules              # callable(operand hits) -> rule hits, or None
    cdef object _rule_stream        # callable() -> incremental rule evaluator, or None
    cdef object _glued              # callable(text, hits) -> list of bool (pinyin-run check), or None
    cdef tuple _severity_names      # severity index -> name (index 0: None)
    cdef tuple _actions             # severity rank -> action (index 0: no hit)
    cdef readonly object _channel   # the disguise channel's automaton (a Sieve), or None
    cdef uint32_t _channel_first    # main entry of the channel automaton's term 0
    cdef readonly object _disguise  # callable(text, hits) -> judge codes (disguise.py), or None

    cdef Py_ssize_t _scan(self, object text, bint first_only, vector[HitC]* hits,
                          Py_ssize_t* counted=*, size_t hit_cap=*) except -1
    cdef Py_ssize_t _streamed(self, object text, bint first_only) except -1
    cdef size_t _filter_bytes(self)
    cdef Py_ssize_t _scan_data(self, int kind, const void* data, Py_ssize_t length,
                               bint first_only, vector[HitC]* hits, Py_ssize_t* counted,
                               size_t hit_cap) noexcept nogil
    cdef list _to_matches(self, vector[HitC]& hits, object source, Py_ssize_t offset=*)
    cdef object _payload_of(self, Py_ssize_t term_id)
    cdef list _find(self, object text)
    cdef Verdict _verdict(self, list matches)
    cdef str _text(self, Py_ssize_t i)
