"""atheris target: Sieve.find / contains / count / first / mask on arbitrary text, against the
plain-Python oracle (tests/oracle.py), for a fixed lexicon under several compile options.

    python fuzz/fuzz_scan.py fuzz/corpus/scan -runs=1000000     # see docs/reliability.md

Any mismatch raises AssertionError (atheris reports it as a crash and writes the input).
Two more Sieves are only checked for sanity (no oracle models them): with word-boundary
verification, whose hits must be a subset of the unverified ones, and with variant spellings.
The disguise channel (off in the oracle's configurations) has its own: its automaton's raw hits
against ``oracle.channel_hits``, and the judged hits' invariants."""

import sys

import atheris

# Coverage comes from the native build (-fsanitize=fuzzer-no-link); the Python side of a scan
# is thin, and instrumenting it (or the oracle) would cost most of the speed.
import hansieve
from hansieve.fold import FoldOptions, fold_map

from common import TERMS, masked, oracle, text_from, triples

DEFAULT = FoldOptions()
NO_CJK_CASE = FoldOptions(chinese=False, case=False)


def _no_doubles(terms, options):
    fm = fold_map(options)
    return [t for t in terms if not any(a == b for a, b in zip(fm.fold_term(t), fm.fold_term(t)[1:]))]


# (label, terms, fold options, kind, max_gap, whole_word, collapse)
CONFIGS = [
    ("overlapping", TERMS, DEFAULT, "overlapping", 3, True, False),
    ("overlapping-gap0-noww", TERMS, DEFAULT, "overlapping", 0, False, False),
    ("leftmost", TERMS, DEFAULT, "leftmost_longest", 3, True, False),
    ("leftmost-gap1-noww", TERMS, DEFAULT, "leftmost_longest", 1, False, False),
    ("collapse", _no_doubles(TERMS, DEFAULT), DEFAULT, "overlapping", 2, True, True),
    ("folds-partly-off", TERMS, NO_CJK_CASE, "overlapping", 3, True, False),
]


def _compile(terms, options, kind, max_gap, whole_word, collapse, **extra):
    kw = dict(match_kind=kind, fold_chinese=options.chinese, fold_compat=options.compat,
              fold_case=options.case, skip_noise=options.noise, fold_variants=options.variants,
              max_gap=max_gap, whole_word=whole_word, verify="off", collapse_repeats=collapse,
              variants=False, channels=False)
    kw.update(extra)
    return hansieve.compile(terms, **kw)


SIEVES = [_compile(*c[1:]) for c in CONFIGS]
VERIFIED = _compile(TERMS, DEFAULT, "overlapping", 3, True, False, verify="all")
VARIANTS = hansieve.compile(TERMS, verify="all", variants=True)
CHANNEL = hansieve.compile(TERMS, variants=False, collapse_repeats=False)
assert CHANNEL.options["channels"]
for _sieve in (VERIFIED, VARIANTS, CHANNEL):
    # build the segmenter now: on the first verified hit it takes seconds under ASan, and
    # libFuzzer would report that input as a slow unit
    if _sieve._verifier is not None:
        _sieve._verifier.warm_up()


def expected_hits(config, text):
    _, terms, options, kind, max_gap, whole_word, collapse = config
    if kind == "leftmost_longest":
        return oracle.find_leftmost_longest(terms, text, options, max_gap, whole_word)
    return oracle.find(terms, text, options, max_gap, whole_word, collapse)


def check_streamed(sieve, text, n_hits):
    """contains()/count() past their held-hit cap (here 1) go on with a stream: same answers."""
    old = hansieve._core._set_held_hits_cap(1)
    try:
        assert sieve.contains(text) == bool(n_hits), text
        assert sieve.count(text) == n_hits, text
    finally:
        hansieve._core._set_held_hits_cap(old)


def check(config, sieve, text):
    expected = expected_hits(config, text)
    got = triples(sieve.find(text))
    assert got == expected, (config[0], text, got, expected)
    assert sieve.count(text) == len(expected), (config[0], text)
    assert sieve.contains(text) == bool(expected), (config[0], text)
    first = sieve.first(text)
    assert (first is None) if not expected else triples([first]) == expected[:1], (config[0], text)
    assert sieve.mask(text, "#") == masked(text, expected, "#"), (config[0], text)
    for m in sieve.find(text):
        assert m.term == config[1][m.term_id]
    check_streamed(sieve, text, len(expected))
    return expected


def check_verified(text):
    """Verification only ever drops hits."""
    expected = expected_hits(CONFIGS[0], text)
    verified = triples(VERIFIED.find(text))
    assert set(verified) <= set(expected), (text, verified, expected)
    assert VERIFIED.count(text) == len(verified)
    assert VERIFIED.contains(text) == bool(verified)
    check_streamed(VERIFIED, text, len(verified))


def check_variants(text):
    """Variants: no oracle, but the invariants hold."""
    hits = VARIANTS.find(text)
    assert len(VARIANTS.mask(text)) == len(text)
    assert VARIANTS.contains(text) == bool(hits)
    assert VARIANTS.count(text) == len(hits)
    check_streamed(VARIANTS, text, len(hits))
    for m in hits:
        assert 0 <= m.start < m.end <= len(text), (text, m)
        assert m.term in TERMS
    VARIANTS.check(text)


def check_channel(text):
    """The channel automaton's raw hits equal the oracle's; what the judge keeps is a subset,
    and every caller agrees on it."""
    first = CHANNEL.header["counts"]["channel_first"]
    to_term = [CHANNEL.entry(first + k)["base"] for k in range(len(CHANNEL._channel))]
    got = sorted({(to_term[k], a, b) for k, a, b in hansieve._core._raw_hits(CHANNEL._channel, text)})
    want = sorted({(k, a, b) for k, a, b in oracle.channel_hits(TERMS, text) if k in to_term})
    assert got == want, (text, got, want)
    hits = CHANNEL.find(text)
    disguised = {(m.term_id, m.start, m.end) for m in hits if m.mechanism in (
        "sound", "shape", "emoji", "filler")}
    assert disguised <= set(got), (text, disguised, got)
    assert CHANNEL.count(text) == len(hits) and CHANNEL.contains(text) == bool(hits)
    check_streamed(CHANNEL, text, len(hits))


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, len(CONFIGS) + 2)
    text = text_from(fdp, 64)
    if which < len(CONFIGS):
        check(CONFIGS[which], SIEVES[which], text)
    elif which == len(CONFIGS):
        check_verified(text)
    elif which == len(CONFIGS) + 1:
        check_variants(text)
    else:
        check_channel(text)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
