# After the scan
#
# Span indexes for the decisions that follow a scan (allowlist, masked forms).
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

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
