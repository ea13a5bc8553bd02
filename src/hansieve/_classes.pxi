# The Python classes
#
# Match, Verdict, Sieve and Stream: what a user holds.
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

cdef enum:
    # The boundary check segments VERIFY_WINDOW characters of context on each side of a hit, read
    # from VERIFY_REACH characters (the margin keeps the window's edge tokens whole).
    VERIFY_WINDOW = 16
    VERIFY_REACH = VERIFY_WINDOW + 4
    # What a stream keeps on the left of the earliest hit still to come: the verification
    # reach and the whole-word rule's look-behind (1 character).
    STREAM_KEEP = VERIFY_REACH + 1
    # contains()/count() hold at most this many undecided hits (32 bytes each) before they go
    # on with a stream fed this many code points at a time: memory bounded whatever the text.
    HELD_HITS_CAP = 1 << 16
    STREAM_CHUNK = 1 << 14
    # find_many hands out messages to its threads this many at a time.
    BATCH_CHUNK = 64
    # Shorter texts are scanned without releasing the GIL (see Sieve._scan).
    NOGIL_MIN_LENGTH = 512

cdef size_t held_hits_cap = HELD_HITS_CAP

# Constants the layers above share with the core (defined here once).
VERIFY_WINDOW_CHARS = VERIFY_WINDOW
VERIFY_REACH_CHARS = VERIFY_REACH
TERM_FLAG_BITS = {"allow": TERM_ALLOW, "hidden": TERM_HIDDEN, "whole_word_start": TERM_WW_START,
                  "whole_word_end": TERM_WW_END, "verify": TERM_VERIFY, "masked": TERM_MASKED,
                  "glued": TERM_GLUED}
MASK_CHARS = "".join(chr(MASK_CPS[i]) for i in range(N_MASK_CPS))


# What the layers above attach to every Sieve, made from its header by the factory compile.py
# registers at import: the match kind, the severity policy, the boundary verifier and the
# combination rules. The core imports nothing of the package; it is handed these as data.
cdef object _runtime_factory = None


def _register_runtime(factory):
    """Set the factory ``factory(header) -> Runtime`` every Sieve made from then on is given
    (hansieve.compile does this at import). A Runtime has ``match_kind``, ``severities`` (the
    names of severity indexes 1, 2, ...), ``actions`` (the action for each severity rank, index
    0: no hit), ``verifier`` (callable(text, hits) -> list of bool, or None), ``rules``
    (callable(operand hits) -> rule hits, or None) and ``rule_stream`` (callable() -> an
    incremental rule evaluator, or None); optionally ``glued`` (callable(text, hits) -> list of
    bool: the pinyin-run check of TERM_GLUED hits that touch Latin letters, or None: such hits
    are dropped, as the whole-word rule would)."""
    global _runtime_factory
    _runtime_factory = factory


cdef object _runtime_for(dict header):
    if _runtime_factory is None:
        raise RuntimeError("hansieve._core is the native part of hansieve: import hansieve, "
                           "which attaches verification and rules to every Sieve")
    return _runtime_factory(header)


def _set_held_hits_cap(size_t cap):
    """Tests only: lower the cap so that short texts take the streamed path of contains()
    and count() too (1: any held hit). Returns the previous cap."""
    global held_hits_cap
    old = held_hits_cap
    held_hits_cap = cap if cap else HELD_HITS_CAP
    return old



#: Match.mechanism of a disguise, by the judge's code (disguise.py).
DISGUISE_CHANNELS = (None, "sound", "shape", "emoji", "filler")


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
        """The term's severity; a disguise's is the term's but at most ``"review"`` (a disguise
        is weaker evidence than the term itself: a person should look before it blocks)."""
        return self._sieve._severity_names[self._sieve._severity_idx[self._entry]]

    @property
    def span(self) -> tuple:
        return (self.start, self.end)

    @property
    def mechanism(self) -> str:
        """How the hit was found: ``"exact"`` (the term, folded), the variant mechanism
        (``"pinyin"``, ``"split"``, ...) of the variant spelling that matched, or the disguise
        channel that read it as the term (``"sound"``, ``"shape"``, ``"emoji"``, ``"filler"``)."""
        if self._how:
            return DISGUISE_CHANNELS[self._how]
        return self._sieve._mechanism_names[self._sieve._mechanism_idx[self._entry]]

    @property
    def via(self) -> str:
        """The lexicon entry that matched: the term itself, or the variant spelling of it (a
        disguise: the text as written)."""
        if self._how:
            return self.text
        return self._sieve._text(self._entry)

    @property
    def text(self):
        """The hit as written in the scanned text, ``text[start:end]`` (traditional characters,
        noise and all). None only for a stream's combination-rule hit whose start the stream no
        longer holds."""
        cdef Py_ssize_t a = self.start - self._offset
        if self._source is None or a < 0:
            return None
        return self._source[a:self.end - self._offset]

    @property
    def payload(self):
        """The payload of the term (``Term(..., payload=...)``): any value the lexicon carries
        to its hits, or None."""
        return self._sieve._payload_of(self.term_id)

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
                               self.severity, self.text, self.payload))


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


def _plain_match(term_id, start, end, term, category, severity, text=None, payload=None):
    import types
    return types.SimpleNamespace(term_id=term_id, start=start, end=end, term=term,
                                 category=category, severity=severity, text=text, payload=payload)


def _leftmost_longest(Match m):
    return (m.start, -m.end)


cdef inline void _check_text(object text) except *:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")




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
        self._channel = None
        self._disguise = None
        self._rules = None
        self._rule_stream = None
        self._glued = None
        self._severity_names = (None,)
        self._actions = ("pass",)

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

    cdef list _to_matches(self, vector[HitC]& hits, object source, Py_ssize_t offset=0):
        """Match objects for `hits` of the text `source` (which starts at `offset` of the
        scanned text: a stream's buffer)."""
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
            m._how = (h.flags >> HIT_HOW_SHIFT) & 0xFF if h.flags & HIT_CHANNEL else 0
            m._spans = h.flags & (HIT_SPANS_PUNCT | HIT_SPANS_NOISE)
            m._sieve = self
            m._source = source
            m._offset = offset
            out.append(m)
        return out

    cdef object _payload_of(self, Py_ssize_t term_id):
        if self._payloads is None:
            self._payloads = {int(k): v["payload"] for k, v in self._header.get("extra", {}).items()
                              if "payload" in v}
        return self._payloads.get(term_id)

    cdef list _find(self, object text):
        _check_text(text)
        cdef vector[HitC] hits
        self._scan(text, False, &hits)
        if hits.size() or self._channel is not None:
            decide(self, text, hits, None)
        return self._to_matches(hits, text)

    cdef Verdict _verdict(self, list matches):
        """verify.verdict() of this Sieve's matches, from its severity and category tables and
        the action policy its runtime carries."""
        if not matches:
            return _new_verdict(self._actions[0], None, (), matches)
        cdef Match m
        cdef int rank = len(self._severity_names), r
        cdef uint8_t c
        cdef uint64_t seen[4]
        seen[0] = seen[1] = seen[2] = seen[3] = 0
        for m in matches:
            r = self._severity_idx[m._entry] or 1       # no severity counts as the strongest
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
        return _new_verdict(self._actions[rank], self._severity_names[rank], tuple(names),
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
        if isinstance(texts, (str, bytes)):
            # list("法轮功") would scan each character as a message of its own.
            raise TypeError("texts must be an iterable of str, not a single string")
        cdef list items = list(texts)
        cdef size_t n = len(items), i
        cdef vector[TextRefC] refs = vector[TextRefC](n)
        cdef vector[vector[HitC]] results = vector[vector[HitC]](n)
        cdef vector[uint8_t] failed = vector[uint8_t](n, 0)
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
        batch.failed = failed.data()
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
                    if results[i].size() or self._channel is not None:
                        decide(self, items[i], results[i], None)
                        out[i] = self._to_matches(results[i], items[i])
                    else:
                        out[i] = []
                c += 1
        finally:
            with nogil:
                hs_batch_finish(b)
        for i in range(n):      # read after the workers are joined
            if failed[i]:
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
        if self._channel is not None:
            # A disguise is judged against every raw hit of the term automaton on its span (a
            # term written as another term is that term): no early stop; a long text goes
            # through a stream, which holds a bounded tail of both automata's hits.
            if len(text) > STREAM_CHUNK:
                return self._streamed(text, True) > 0
            return len(self._find(text)) > 0
        cdef vector[HitC] hits
        if self._scan(text, True, &hits, NULL, held_hits_cap):
            # A text full of hits an allow entry or verification may still take back (真是大麻烦
            # x 10**7): rather than hold them all, go on with a stream, which decides them as
            # the scan passes and holds a bounded tail.
            return self._streamed(text, True) > 0
        if hits.size() or self._channel is not None:
            decide(self, text, hits, None)
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
        if self._channel is not None:
            # A disguise may come before the first hit of the term automaton.
            found = self._find(text)
            return found[0] if found else None
        cdef vector[HitC] hits
        self._scan(text, True, &hits)
        if hits.size() or self._channel is not None:
            decide(self, text, hits, None)
        if hits.size() == 0:
            return None
        return self._to_matches(hits, text)[0]

    def count(self, text) -> int:
        """``len(self.find(text))`` without building the Match objects; memory bounded as in
        :meth:`contains`."""
        _check_text(text)
        if self._channel is not None:       # see contains()
            return self._streamed(text, False) if len(text) > STREAM_CHUNK else len(self._find(text))
        cdef vector[HitC] hits
        cdef Py_ssize_t counted = 0
        if self._scan(text, False, &hits, &counted, held_hits_cap):
            return self._streamed(text, False)     # see contains()
        if hits.size() or self._channel is not None:
            decide(self, text, hits, None)
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
        if hits.size() or self._channel is not None:
            decide(self, text, hits, None)
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

    def replace(self, text, replacement="*") -> str:
        """`text` with every hit replaced by `replacement`: a string (each hit, however long,
        becomes that string), or a callable given the :class:`Match` that returns its
        replacement (:mod:`hansieve.replacements`: the category as a label, keep the first
        character). Overlapping hits are replaced once, as the union of their spans, with the
        leftmost (then longest) of them passed to the callable. :meth:`mask` keeps the length.

        >>> import hansieve
        >>> from hansieve.replacements import category_label, keep_first
        >>> s = hansieve.compile([hansieve.Term("法轮功", "politics"), hansieve.Term("傻逼", "abuse")])
        >>> s.replace("他说法*轮*功，傻逼", "[已屏蔽]")
        '他说[已屏蔽]，[已屏蔽]'
        >>> s.replace("他说法*轮*功，傻逼", category_label())
        '他说[政治]，[辱骂]'
        >>> s.replace("他说法輪功", keep_first())
        '他说法**'
        """
        if not isinstance(replacement, str) and not callable(replacement):
            raise TypeError(f"replacement must be a str or a callable, not "
                            f"{type(replacement).__name__}")
        cdef list matches = self._find(text)
        if not matches:
            return text
        matches.sort(key=_leftmost_longest)
        cdef list pieces = []
        cdef Py_ssize_t done = 0, end, i = 0, n = len(matches)
        cdef Match first
        while i < n:
            first = <Match>matches[i]
            end = first.end
            i += 1
            while i < n and (<Match>matches[i]).start < end:
                if (<Match>matches[i]).end > end:
                    end = (<Match>matches[i]).end
                i += 1
            pieces.append(text[done:first.start])
            if isinstance(replacement, str):
                pieces.append(replacement)
            else:
                piece = replacement(first)
                if not isinstance(piece, str):
                    raise TypeError(f"the replacement callable returned "
                                    f"{type(piece).__name__}, not str")
                pieces.append(piece)
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
        """What the Sieve knows of one term id (deny term, allow entry, rule operand, rule, or
        a term's disguise-channel entry)."""
        if not 0 <= term_id < self._n_entries:
            raise IndexError(f"term id {term_id} out of range")
        cdef uint8_t c = self._category_idx[term_id]
        kind = "deny"
        if self._channel is not None and term_id >= self._channel_first:
            kind = "disguise"
        elif term_id >= self._t.n_terms:
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
            "severity": self._severity_names[self._severity_idx[term_id]],
            "tags": tuple(extra.get("tags", ())),
            "flags": frozenset(extra.get("flags", ())),
            "base": self._base_of[term_id],
            "mechanism": self._mechanism_names[self._mechanism_idx[term_id]],
            "payload": (self._payload_of(self._base_of[term_id])
                        if term_id < self._t.n_terms or kind == "disguise" else None),
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
        """Sizes of the native tables, for tuning and benchmarks. ``terms`` is ``len(sieve)``,
        the deny terms; ``keys`` counts every key of the automaton: the deny terms, their
        variant spellings (pinyin, homophones...), allowlist entries and rule operands.
        ``channel_terms``: the deny terms the disguise channel reads (two or more Chinese
        characters, no filler among them; 0 when the channel is off).

        >>> import hansieve
        >>> s = hansieve.compile(["法轮功", "大"])
        >>> s.stats()["terms"] == len(s) == 2 and s.stats()["keys"] > 2   # variants
        True
        >>> s.stats()["channel_terms"]      # 大 is too short for the channel
        1
        """
        return {
            "channel_terms": len(self._channel) if self._channel is not None else 0,
            "terms": self._n_deny,
            "keys": self._t.n_terms,
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
        """Write the compiled file (atomically: a temporary file renamed into place), with the
        permissions of any new file (0666 less the umask), so that a service running as another
        user can read it. An error names `path`, not the temporary file."""
        _write_file(_serialize(self), path)

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
    cdef object _rules      # the Sieve's incremental rule evaluator (verify.RuleStream), or None
    cdef bint _busy         # a feed is scanning (with the GIL released)
    cdef Py_ssize_t _settled    # no hit still to come starts before this stream offset
    cdef Stream _channel    # the disguise channel's own stream over the same text, or None
    cdef set _term_spans    # (start, end) of the term automaton's raw hits a disguise may share

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
        st._rules = sieve._rule_stream() if sieve._rule_stream is not None else None
        st._channel = Stream._new(sieve._channel) if sieve._channel is not None else None
        st._term_spans = set()
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
            if self._channel is not None:
                self._queue_channel_hits(self._channel.feed(chunk))
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
            if self._channel is not None:
                self._queue_channel_hits(self._channel.close())
            return self._advance(True)
        finally:
            self._busy = False

    cdef int _queue_channel_hits(self, list found) except -1:
        """Queue the channel stream's hits (its matches are final as soon as it returns them:
        its automaton has no allowlist, verification or rules) for the disguise judge, with
        what their raw hits said of the span (a separator inside drops it, as in decide())."""
        cdef Match m
        cdef uint32_t first = self._sieve._channel_first
        for m in found:
            self._queue.append((first + m._entry, HIT_CHANNEL | m._spans, m.start, m.end))
        return 0

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
            if self._channel is not None:
                self._term_spans.add((h.start + self._base, h.end + self._base))
        if self._channel is not None and self._queue:
            self._queue.sort(key=_scan_order)      # find()'s order: by end, then longest first
        cdef Py_ssize_t horizon = self._horizon() + self._base
        if self._channel is not None and not final:
            # A disguise still to come may start before the term automaton's horizon.
            horizon = min(horizon, self._channel._horizon() + self._channel._base)
        out = self._decide(horizon, final)
        # Before the trim: the hits' text is in this buffer (a str: trimming makes a new one).
        matches = self._sieve._to_matches(out, self._buf, self._base)
        self._trim(horizon)
        return matches

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
        """Settle queued hits in scan order with the rule Sieve.find applies (classify() and
        resolve() in _decide.pxi); stop at the first one the text still to come could change."""
        cdef const TablesC* t = &self._sieve._t
        cdef vector[HitC] out
        cdef HitC h
        cdef uint32_t entry, flags
        cdef Py_ssize_t start, end, available = self._base + len(self._buf)
        cdef bint verifying = self._sieve._verifier is not None, hidden, exact
        cdef int outcome
        queue = self._queue
        # The same span index as Sieve.find's (n log n however many hits a chunk holds).
        cdef vector[pair[Py_ssize_t, Py_ssize_t]] allows = indexed(self._allows)
        cdef vector[pair[Py_ssize_t, Py_ssize_t]] strong = indexed(self._strong)
        done = 0
        for entry, flags, start, end in queue:
            # When: a hit waits for what could still change it.
            if flags & HIT_CHANNEL:
                # The judge reads the segmentation window; an allowlist hit may still cover it.
                # On a span of the term automaton's own raw hit (found by the same point of the
                # text) the channel hit is never reported: decided now, it holds nothing back.
                exact = (start, end) in self._term_spans
                if not final and not exact and (end + VERIFY_REACH > available
                                                or (start >= horizon and t.has_allow)):
                    break
                done += 1
                outcome = classify(t, entry, flags, start, end, allows, strong, verifying, True)
                if outcome == DISGUISE_NEEDS_CHECK and exact:
                    outcome = CHANNEL_EXACT     # as decide(): the term automaton's own span
                elif outcome == DISGUISE_NEEDS_CHECK:
                    code = self._sieve._disguise(self._buf, [(
                        self._sieve._text(self._sieve._base_of[entry]), start - self._base,
                        end - self._base)])[0]
                    flags |= (<uint32_t>code) << HIT_HOW_SHIFT
                    outcome = judge_outcome(code)
                if reported(outcome):
                    h.term_id = entry
                    h.flags = flags
                    h.start = start
                    h.end = end
                    out.push_back(h)
                continue
            if (((verifying and needs_verification(t, entry, flags)) or flags & HIT_GLUED)
                    and not final and end + VERIFY_REACH > available):
                break       # the verification (or pinyin-run) window is not all here yet
            hidden = t.term_flags[entry] & TERM_HIDDEN
            if (not hidden and not final and start >= horizon
                    and (t.has_allow or t.term_flags[entry] & TERM_MASKED)):
                break       # an allowlist entry (or a hit) covering it may still come
            done += 1
            # What: the same decision as for a whole text.
            outcome = classify(t, entry, flags, start, end, allows, strong, verifying,
                               needs_glued_check(t, entry, flags) and glued_answers(
                                   self._sieve, self._buf,
                                   [(entry, start - self._base, end - self._base)])[0])
            if outcome == OPERAND_NEEDS_CHECK and self._rules is None:
                outcome = OPERAND
            elif outcome == NEEDS_CHECK or outcome == OPERAND_NEEDS_CHECK:
                outcome = resolve(outcome, self._verified(entry, start, end))
            if feeds_rules(outcome) and self._rules is not None:
                for rule_id, r_start, r_end in self._rules.add((entry, start, end)):
                    h.term_id = rule_id
                    h.flags = 0
                    h.start = r_start
                    h.end = r_end
                    out.push_back(h)
            elif reported(outcome):
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
        if self._term_spans:
            self._term_spans = {span for span in self._term_spans if span[1] > low}
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





def _scan_order(item):
    return (item[3], item[2])


def _unpickle(data):
    return _deserialize(data, None)
