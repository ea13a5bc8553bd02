# Compiled files
#
# Serialising, checksum, mapping and validating compiled files.
# Included by _core.pyx (one compilation unit, so the scan loop's helpers inline).

cdef extern from "_checksum.h":
    uint64_t hs_checksum(const uint8_t* p, size_t n, uint64_t seed) noexcept nogil

# Layout (little-endian):
#   0  magic  b"HANSIEVE"
#   8  u32    format version
#   12 u32    header length (JSON, UTF-8)
#   16 u64    file length
#   24 u64    checksum (hs_checksum) of bytes [0, 24) then [32, file length)
#   32 header JSON: counts, options, categories, rules, lexicon identity, array offsets
#   then each array at an 8-aligned offset, in ARRAYS order

import json
import mmap

MAGIC = b"HANSIEVE"
# 2: TERM_MASKED entries (a version-1 reader would report them unchecked)
# 3: the edge filter is stored (array "edge_filter"); the trie's breadth-first layout is required
# 4: the disguise channel (array "channel": a nested compiled Sieve, or empty)
FORMAT_VERSION = 4
_PREFIX = 32

def _write_file(bytes data, object path):
    """Write `data` to `path` through a temporary file in the same folder, renamed into place.
    The temporary file is created with mode 0666 and the process umask applies, as to any new
    file (mkstemp's 0600 left compiled files unreadable to a service running as another user);
    an error names `path`, never the temporary file."""
    import os
    import secrets
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        while tmp is None:
            name = os.path.join(folder, f".hansieve-{os.getpid()}-{secrets.token_hex(6)}.tmp")
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                             0o666)
            except FileExistsError:
                continue
            tmp = name
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError) and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, path) from None
        raise


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
        try:
            new_json = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        except (TypeError, ValueError) as exc:
            # Only term payloads can be other than JSON: they are the caller's own objects.
            raise TypeError(f"[E109] cannot write the compiled file: a term payload is not a "
                            f"JSON value ({exc}); compiled files keep payloads as JSON (str, "
                            "numbers, lists, dicts)") from None
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
        raise FormatError(f"[E303] {name}: format version {version} was written by an older "
                          f"hansieve; this one reads version {FORMAT_VERSION}: recompile the "
                          f"lexicon (hansieve build)")
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
        runtime = _runtime_for(header)
        _validate(arrays, header, len(runtime.severities))
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
    return _attach(tuple(arrays), list(arrays) + [owner], header, runtime)


cdef int _attach_channel(Sieve sv, object blob, object owners, object first,
                         object runtime) except -1:
    """Attach the disguise channel: a whole compiled Sieve nested in `sv`'s array "channel"
    (validated as any compiled file), whose term k is `sv`'s entry ``first + k``."""
    channel = _deserialize(blob, owners, "the disguise channel of this lexicon")
    if not (isinstance(first, int) and 0 <= first
            and first + (<Sieve>channel)._n_entries <= sv._n_entries) or runtime.disguise is None:
        raise FormatError("[E307] invalid compiled lexicon: the disguise channel's entries are "
                          "out of range")
    sv._channel = channel
    sv._channel_first = first
    return 0


cdef int _need(bint ok, str what) except -1:
    if not ok:
        raise ValueError(what)
    return 0


cdef const char* _check_arrays(TablesC* t, size_t n_pages, size_t n_word_pages, size_t n_exp,
                               size_t n_exp_syms, size_t n_edges, size_t n_outs,
                               const uint32_t* text_offsets, size_t n_entries, size_t blob_len,
                               const uint8_t* category_idx, size_t n_categories,
                               const uint8_t* severity_idx, size_t n_severities, const uint32_t* base_of,
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
    ok &= n_edges + 1 == t.n_states     # a trie: one edge into every state but the root
    if not ok:
        return "states"
    for i in range(n_edges):
        ok &= (t.edges[i].sym >= 1) & (t.edges[i].sym <= t.n_syms)
        # The builder's breadth-first layout: edge k leads to state k + 1 (so every state but
        # the root has exactly one edge into it, and the walks below read memory in order).
        ok &= t.edges[i].target == i + 1
    if not ok:
        return "edges"
    # One pass over the states. States come in breadth-first order (depths never decrease),
    # so a failure link goes strictly up in depth (or a scan could loop forever) exactly when
    # it points before the first state of the state's own depth (`level`): no random read.
    # Each level's edges and outputs are then checked as one contiguous run (_level_ok).
    cdef int runs = 1, run       # 1: valid so far; else _level_ok's first complaint
    cdef size_t level = 0
    cdef uint32_t d, d_level = 0
    for i in range(t.n_states):
        f = st[i].fail
        d = st[i].depth
        ok &= (st[i].edge_begin <= st[i + 1].edge_begin) & (st[i].out_begin <= st[i + 1].out_begin)
        ok &= (f < t.n_states) & (d <= t.max_depth)
        if d != d_level:        # a new level (a dozen a file: a well-predicted branch)
            ok &= d > d_level
            if not ok:
                break           # runs out of order: _level_ok's clamped runs need them in order
            run = _level_ok(t, level, i, d_level, n_edges, n_outs)
            runs = run if runs == 1 else runs
            level = i
            d_level = d
        ok &= (i == 0) | (f < level)
    if not ok:
        return "states"
    run = _level_ok(t, level, t.n_states, d_level, n_edges, n_outs)
    runs = run if runs == 1 else runs
    if runs != 1:
        return "outputs" if runs == 2 else "edges"
    for i in range(t.n_syms + 1):
        ok &= t.root_next[i] < t.n_states
    if not ok:
        return "outputs"
    for i in range(t.n_syms + 1):
        ok &= st[t.root_next[i]].depth <= 1
    # max_depth sizes the ring every scan allocates: it must be the longest term, so that a
    # forged header cannot make each scan allocate up to 512 MiB (the ring is then bounded by
    # the states the file really holds).
    cdef uint32_t longest = 0
    for i in range(t.n_terms):
        ok &= (t.term_len[i] >= 1) & (t.term_len[i] <= t.max_depth)
        longest = t.term_len[i] if t.term_len[i] > longest else longest
    ok &= longest == t.max_depth
    if not ok:
        return "outputs"
    ok &= (text_offsets[0] == 0) & (text_offsets[n_entries] == blob_len)
    for i in range(n_entries):
        ok &= text_offsets[i] <= text_offsets[i + 1]
        ok &= (category_idx[i] <= n_categories) & (severity_idx[i] <= n_severities)
        ok &= (base_of[i] < n_entries) & (mechanism_idx[i] < n_mechanisms)
    if not ok:
        return "entries"
    return NULL


cdef int _level_ok(const TablesC* t, size_t a, size_t b, uint32_t depth, size_t n_edges,
                   size_t n_outs) noexcept nogil:
    """Check the states a..b-1 (one level: all at `depth`, their runs in order) as a whole.
    Returns 1 when valid, 0 for a bad edge, 2 for a bad output.

    An edge goes exactly one symbol deeper (the root's row to depth 1 at most), and a term
    ending in a state is no longer than its depth. The scan relies on both: a hit's start is
    read from the ring of the last `depth` positions, and a deeper jump would read a slot never
    written (a wild offset, then a read outside the text in the whole-word check). Edge k leads
    to state k + 1 and depths never decrease (both checked by the caller), so the level's edges
    all lead one level deeper when the first and the last one do."""
    cdef const StateC* st = t.states
    cdef size_t eb = min(<size_t>st[a].edge_begin, n_edges), ee = min(<size_t>st[b].edge_begin, n_edges)
    cdef size_t ob = min(<size_t>st[a].out_begin, n_outs), oe = min(<size_t>st[b].out_begin, n_outs)
    cdef size_t k
    cdef uint32_t term
    cdef bint valid, outs_ok = True
    if eb < ee and not ((st[eb + 1].depth == depth + 1) & (st[ee].depth == depth + 1)):
        return 0
    if t.n_terms == 0:
        return 1 if ob >= oe else 2
    for k in range(ob, oe):     # branch-free: independent reads overlap
        term = t.outs[k]
        valid = term < t.n_terms
        outs_ok &= valid & (t.term_len[term if valid else 0] <= depth)
    return 1 if outs_ok else 2


cdef bint _utf8_surrogatepass_ok(const uint8_t* p, size_t n) noexcept nogil:
    """Whether p[:n] is UTF-8, encoded surrogates (ED A0..BF ..) allowed."""
    cdef size_t i = 0, need
    cdef uint8_t c, lo, hi
    while i < n:
        c = p[i]
        if c < 0x80:
            i += 1
            continue
        lo, hi = 0x80, 0xBF
        if 0xC2 <= c <= 0xDF:
            need = 1
        elif 0xE0 <= c <= 0xEF:
            need = 2
            if c == 0xE0:
                lo = 0xA0
        elif 0xF0 <= c <= 0xF4:
            need = 3
            if c == 0xF0:
                lo = 0x90
            elif c == 0xF4:
                hi = 0x8F
        else:
            return False
        if n - i <= need or not (lo <= p[i + 1] <= hi):
            return False
        if need >= 2 and not (0x80 <= p[i + 2] <= 0xBF):
            return False
        if need == 3 and not (0x80 <= p[i + 3] <= 0xBF):
            return False
        i += need + 1
    return True


cdef const void* _addr(object view):
    """Address of a non-empty buffer (memoryview slice) or NULL."""
    cdef const uint8_t[::1] v
    if len(view) == 0:
        return NULL
    v = view
    return &v[0]


def _validate(list arrays, dict header, size_t n_severities):
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
                                severity_idx, n_severities, base_of, mechanism_idx, n_mechanisms)
    if problem != NULL:
        raise ValueError(problem.decode())
    _need(sizes[18] == filter_words(filtered_edges(&t, n_states)) * sizeof(uint64_t), "edge filter")
    # Term texts must decode (as str(blob, "utf-8", "surrogatepass") does), checked without
    # making the string: a 349k-word file's 3 MB of texts took 7 ms to decode.
    cdef const uint8_t* blob = <const uint8_t*>_addr(arrays[13])
    cdef size_t blob_n = len(arrays[13])
    cdef bint texts_ok
    with nogil:
        texts_ok = _utf8_surrogatepass_ok(blob, blob_n)
    _need(texts_ok, "term texts are not UTF-8")
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