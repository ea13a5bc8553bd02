# After the scan
#
# What becomes of the raw hits of a scan: the span indexes (allowlist, masked forms) and the one
# decision routine every caller shares.
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

cdef void index_spans(vector[pair[Py_ssize_t, Py_ssize_t]]& spans) noexcept:
    """Sort (start, end) spans by start and turn each end into the largest end so far, so that
    covers() answers with one binary search (a message with n allow hits and n deny hits
    costs n log n, not n**2: 真是大麻烦。 repeated 10**7 times)."""
    cdef size_t i
    sort(spans.begin(), spans.end())
    for i in range(1, spans.size()):
        if spans[i].second < spans[i - 1].second:
            spans[i].second = spans[i - 1].second


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


cdef bint has_span(const vector[pair[Py_ssize_t, Py_ssize_t]]& spans, Py_ssize_t start,
                   Py_ssize_t end) noexcept:
    """Whether sorted `spans` holds exactly (start, end)."""
    cdef size_t lo = 0, hi = spans.size(), mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if spans[mid].first < start or (spans[mid].first == start and spans[mid].second < end):
            lo = mid + 1
        else:
            hi = mid
    return lo < spans.size() and spans[lo].first == start and spans[lo].second == end


cdef vector[pair[Py_ssize_t, Py_ssize_t]] indexed(list spans):
    """A stream's (start, end) tuples as an index_spans() index."""
    cdef vector[pair[Py_ssize_t, Py_ssize_t]] v
    for a, b in spans:
        v.push_back(pair[Py_ssize_t, Py_ssize_t](a, b))
    index_spans(v)
    return v


# ---- the decision on each raw hit --------------------------------------------------------
#
# One routine decides what becomes of the automaton's raw hits, for every caller: find, first,
# contains, count, mask, check and find_many through decide(); a Stream through classify() and
# resolve(), hit by hit as its text arrives; explain through decide() with a trace. The order
# of the tests is the rule: allowlist entries and rule operands are never reported; a masked
# form inside a hit that read the mask as noise is dropped (法*輪*功 is 法轮功, not 轮子功); a
# deny hit inside an allowlist hit is dropped; a glued pinyin hit (HIT_GLUED: Latin letters
# touch it, which the whole-word rule forbids) is kept only where the Latin run around it splits
# into pinyin syllables at its ends (laogemade in woshilaogemade, not nige in Nigeria: the
# runtime's check, given as `glued_ok`); a hit that spans a separator, or whose term is
# boundary-verified and that skipped no disguising noise, is kept only where word segmentation
# agrees; combination rules run over the operands that passed the same check.

cdef enum:
    # What became of a raw hit (OUTCOMES names them for Python).
    KEPT = 0                # reported, nothing had to check it
    KEPT_VERIFIED = 1       # reported: the boundary check agreed
    DROPPED_ALLOWLIST = 2   # inside an allowlist entry's hit
    DROPPED_MASKED = 3      # a masked form inside a hit that read the mask symbols as noise
    DROPPED_VERIFICATION = 4    # the boundary check cut across one of its ends
    ALLOW_ENTRY = 5         # an allowlist entry: drops deny hits inside it, never reported
    OPERAND = 6             # a rule operand: feeds the combination rules, never reported
    OPERAND_DROPPED = 7     # a rule operand the boundary check rejected: feeds no rule
    RULE_HIT = 8            # a combination rule that holds
    OPERAND_VERIFIED = 9    # a rule operand the boundary check accepted: feeds the rules
    CHANNEL_EXACT = 10      # the channel read the term itself: the term automaton's hit it is
    DROPPED_DISGUISE = 11   # a channel hit the disguise judge (or a separator inside it) rejects
    KEPT_DISGUISE = 12      # a channel hit the disguise judge keeps: reported as a disguise
    DROPPED_GLUED = 13      # a glued pinyin hit whose Latin run does not split into pinyin
                            # syllables at its ends (or a digit touches it)
    # classify() only: a check decides (resolve() / the judge turn these into the above)
    NEEDS_CHECK = 14
    OPERAND_NEEDS_CHECK = 15
    DISGUISE_NEEDS_CHECK = 16

#: Names of the outcomes in trace records (``_core._trace``, read by explain).
OUTCOMES = ("kept", "verified", "allowlist", "masked", "verification", "allow-entry", "operand",
            "operand-dropped", "rule", "operand-verified", "channel-exact", "disguise-dropped",
            "disguise", "glued")

#: The disguise judge's codes (disguise.py), kept in a judged hit's flags (HIT_HOW_SHIFT):
#: 1-4 keep the hit and name its channel.
JUDGE_KEEPS = 5


cdef inline int classify(const TablesC* t, uint32_t entry, uint32_t hit_flags, Py_ssize_t start,
                         Py_ssize_t end, const vector[pair[Py_ssize_t, Py_ssize_t]]& allows,
                         const vector[pair[Py_ssize_t, Py_ssize_t]]& strong,
                         bint verifying, bint glued_ok) noexcept:
    """The outcome of one raw hit, or NEEDS_CHECK / OPERAND_NEEDS_CHECK when the boundary
    check decides. `allows` and `strong` are index_spans() indexes of the allowlist hits and
    of the deny hits that are not masked forms; `glued_ok` is the pinyin-run check's answer
    for a HIT_GLUED hit (needs_glued_check(); ignored for any other)."""
    if hit_flags & HIT_CHANNEL:
        # A disguise channel hit (its entry is virtual: no term flags). A disguise never spans
        # a separator (真没办法，轮胎 is no 法轮 in any channel).
        if covers(allows, start, end):
            return DROPPED_ALLOWLIST
        return DROPPED_DISGUISE if hit_flags & HIT_SPANS_PUNCT else DISGUISE_NEEDS_CHECK
    cdef uint8_t tf = t.term_flags[entry]
    cdef bint check = verifying and needs_verification(t, entry, hit_flags)
    if tf & TERM_ALLOW:
        return ALLOW_ENTRY
    if tf & TERM_HIDDEN:
        # Operands are verified like terms: 百家乐 across 数百家，乐此 is no operand.
        return OPERAND_NEEDS_CHECK if check else OPERAND
    if hit_flags & HIT_GLUED and not glued_ok:
        return DROPPED_GLUED
    if tf & TERM_MASKED and covers(strong, start, end):
        return DROPPED_MASKED
    if covers(allows, start, end):
        return DROPPED_ALLOWLIST
    return NEEDS_CHECK if check else KEPT


cdef inline int resolve(int outcome, bint boundary_ok) noexcept:
    """A classify() outcome once the boundary check has answered."""
    if outcome == NEEDS_CHECK:
        return KEPT_VERIFIED if boundary_ok else DROPPED_VERIFICATION
    if outcome == OPERAND_NEEDS_CHECK:
        return OPERAND_VERIFIED if boundary_ok else OPERAND_DROPPED
    return outcome


cdef inline bint needs_glued_check(const TablesC* t, uint32_t entry, uint32_t hit_flags) noexcept:
    """Whether classify() needs the pinyin-run check's answer for this hit."""
    return hit_flags & HIT_GLUED and not t.term_flags[entry] & (TERM_ALLOW | TERM_HIDDEN)


cdef list glued_answers(Sieve sv, object text, list hits):
    """The pinyin-run check's answers for (entry, start, end) hits of `text`, one call for all;
    without a check (a core used without the package's runtime) every answer is no, as the
    whole-word rule would have it."""
    if sv._glued is None:
        return [False] * len(hits)
    return list(sv._glued(text, hits))


cdef inline bint feeds_rules(int outcome) noexcept:
    return outcome == OPERAND or outcome == OPERAND_VERIFIED


cdef inline bint reported(int outcome) noexcept:
    return outcome == KEPT or outcome == KEPT_VERIFIED or outcome == RULE_HIT or \
        outcome == KEPT_DISGUISE


cdef inline int judge_outcome(int code) noexcept:
    """The outcome of a channel hit the disguise judge gave `code`."""
    return (CHANNEL_EXACT if code == 0 else
            KEPT_DISGUISE if code < JUDGE_KEEPS else DROPPED_DISGUISE)


cdef inline int judged(HitC& h, int code) noexcept:
    """:func:`judge_outcome`, the code kept in the hit's flags."""
    h.flags |= (<uint32_t>code) << HIT_HOW_SHIFT
    return judge_outcome(code)


cdef bint hit_order(const HitC& a, const HitC& b) noexcept:
    """find()'s order: by end, then longest first."""
    return a.end < b.end or (a.end == b.end and a.start < b.start)


cdef int add_channel_hits(Sieve sv, object text, vector[HitC]& hits) except -1:
    """Append the disguise channel's raw hits of `text` (entries of this Sieve, HIT_CHANNEL) and
    put all hits in scan order."""
    cdef vector[HitC] found
    cdef HitC h
    cdef size_t n_main = hits.size()
    (<Sieve>sv._channel)._scan(text, False, &found)
    if found.size() == 0:
        return 0
    for h in found:
        h.term_id += sv._channel_first
        h.flags = HIT_CHANNEL | (h.flags & (HIT_SPANS_PUNCT | HIT_SPANS_NOISE))
        hits.push_back(h)
    if n_main:
        stable_sort(hits.begin(), hits.end(), hit_order)
    return 0




cdef int decide(Sieve sv, object text, vector[HitC]& hits, list trace) except -1:
    """Turn the raw hits of `text` into the reported hits, in place (rule hits appended). With a
    `trace` list, append one record per raw hit, then per rule hit:
    ``(entry, start, end, hit_flags, outcome)``. Clean messages never get here, unless the
    Sieve has a disguise channel: its automaton scans every message here."""
    if sv._channel is not None:
        add_channel_hits(sv, text, hits)
    cdef const TablesC* t = &sv._t
    cdef const uint8_t* flags = t.term_flags
    cdef HitC h
    cdef size_t i, kept = 0, n = hits.size()
    cdef bint special = False
    for h in hits:
        if h.flags or flags[h.term_id] & (TERM_ALLOW | TERM_HIDDEN | TERM_VERIFY | TERM_MASKED):
            special = True
            break
    if not special:
        # Nothing to decide (a separator or noise inside a hit matters only with one of these
        # bits, or through verification, which a TERM_VERIFY term or a separator brings).
        if trace is not None:
            for h in hits:
                trace.append((h.term_id, h.start, h.end, h.flags, KEPT))
        return 0
    cdef vector[pair[Py_ssize_t, Py_ssize_t]] allows, strong, spans
    for h in hits:
        if h.flags & HIT_CHANNEL:
            continue
        if sv._channel is not None:
            spans.push_back(pair[Py_ssize_t, Py_ssize_t](h.start, h.end))
        if flags[h.term_id] & TERM_ALLOW:
            allows.push_back(pair[Py_ssize_t, Py_ssize_t](h.start, h.end))
        elif t.has_masked and not flags[h.term_id] & (TERM_HIDDEN | TERM_MASKED):
            strong.push_back(pair[Py_ssize_t, Py_ssize_t](h.start, h.end))
    index_spans(allows)
    index_spans(strong)
    sort(spans.begin(), spans.end())
    cdef vector[int] outcome = vector[int](n)
    cdef bint verifying = sv._verifier is not None
    cdef bint has_rules = sv._rules is not None
    cdef vector[char] glued_ok = vector[char](n)
    glued = [i for i in range(n) if needs_glued_check(t, hits[i].term_id, hits[i].flags)]
    if glued:
        for i, ok in zip(glued, glued_answers(
                sv, text, [(hits[i].term_id, hits[i].start, hits[i].end) for i in glued])):
            glued_ok[i] = ok
    checks = []
    disguises = []
    for i in range(n):
        h = hits[i]
        outcome[i] = classify(t, h.term_id, h.flags, h.start, h.end, allows, strong, verifying,
                              glued_ok[i])
        if outcome[i] == OPERAND_NEEDS_CHECK and not has_rules:
            outcome[i] = OPERAND         # no rule can use it: not worth a check
        elif outcome[i] == NEEDS_CHECK or outcome[i] == OPERAND_NEEDS_CHECK:
            checks.append(i)
        elif outcome[i] == DISGUISE_NEEDS_CHECK:
            if has_span(spans, h.start, h.end):
                # The term automaton read this very span as a term (傻逼 is no disguise of
                # 傻比, both terms): that term it is.
                outcome[i] = CHANNEL_EXACT
            else:
                disguises.append(i)
    if disguises:
        # The disguise judge (disguise.py): what the span alone decides is in its `known` memo
        # (most channel hits on clean text); one call for the rest of the message's hits.
        known = sv._disguise.known
        asked = []
        for i in disguises:
            term = sv._text(sv._base_of[hits[i].term_id])
            code = known.get((term, text[hits[i].start:hits[i].end]))
            if code is None:
                asked.append((i, term))
            else:
                outcome[i] = judged(hits[i], code)
        if asked:
            codes = sv._disguise(text, [(term, hits[i].start, hits[i].end) for i, term in asked])
            for k in range(len(asked)):
                i = asked[k][0]
                outcome[i] = judged(hits[i], codes[k])
    if checks:
        # One call for every hit to check (the verifier answers per hit).
        keep = sv._verifier(text, [(hits[i].term_id, hits[i].start, hits[i].end) for i in checks])
        for k, i in enumerate(checks):
            outcome[i] = resolve(outcome[i], keep[k])
    operands = []
    for i in range(n):
        h = hits[i]
        if trace is not None:
            trace.append((h.term_id, h.start, h.end, h.flags, outcome[i]))
        if feeds_rules(outcome[i]) and has_rules:
            operands.append((h.term_id, h.start, h.end))
        elif reported(outcome[i]):
            hits[kept] = h
            kept += 1
    hits.resize(kept)
    if operands:
        for term_id, start, end in sv._rules(operands):
            h.term_id = term_id
            h.flags = 0
            h.start = start
            h.end = end
            hits.push_back(h)
            if trace is not None:
                trace.append((term_id, start, end, 0, RULE_HIT))
    return 0


def _raw_hits(Sieve sv, str text):
    """The automaton's hits before any decision, as (entry, start, end)."""
    cdef vector[HitC] hits
    sv._scan(text, False, &hits)
    return [(h.term_id, h.start, h.end) for h in hits]


def _trace(Sieve sv, str text):
    """What decide() did with each raw hit of `text` (for ``hansieve explain``): the reported
    matches, and one record per raw hit in scan order, then per rule hit:
    ``(entry, start, end, spans_separator, spans_noise, masked_form, outcome name, judge code)``
    (the disguise judge's code for a channel hit, else None)."""
    cdef vector[HitC] hits
    cdef list trace = []
    sv._scan(text, False, &hits)
    if hits.size() or sv._channel is not None:
        decide(sv, text, hits, trace)
    return sv._to_matches(hits, text), [
        (entry, start, end, bool(flags & HIT_SPANS_PUNCT), bool(flags & HIT_SPANS_NOISE),
         outcome != RULE_HIT and not flags & HIT_CHANNEL
         and bool(sv._t.term_flags[entry] & TERM_MASKED), OUTCOMES[outcome],
         flags >> HIT_HOW_SHIFT if flags & HIT_CHANNEL else None)
        for entry, start, end, flags, outcome in trace]
