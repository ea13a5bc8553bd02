"""One Sieve shared by many threads gives each the same answers as a single thread."""

import random
from concurrent.futures import ThreadPoolExecutor

import hansieve


def test_shared_sieve_across_threads():
    rng = random.Random(7)
    terms = ["".join(rng.choice("法轮功六四发輪") for _ in range(rng.randint(2, 4)))
             for _ in range(200)]
    sieve = hansieve.compile(terms)
    texts = ["".join(rng.choice("法轮功六四发輪 *x") for _ in range(rng.randint(0, 300)))
             for _ in range(400)]
    expected = [[(m.term_id, m.start, m.end) for m in sieve.find(t)] for t in texts]

    def work(i):
        return [[(m.term_id, m.start, m.end) for m in sieve.find(t)] for t in texts[i::8]]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for i, chunk in enumerate(results):
        assert chunk == expected[i::8]


def test_find_many_equals_a_loop():
    rng = random.Random(11)
    sieve = hansieve.compile(["法轮功", "六四", "fuck", "大麻"], allow=["大麻烦"])
    texts = ["".join(rng.choice("法轮功六四大麻烦 *xｆｕｃｋ") for _ in range(rng.randint(0, 40)))
             for _ in range(3000)] + ["", "\ud800", "😀" * 3]
    expected = [[(m.term_id, m.start, m.end) for m in sieve.find(t)] for t in texts]
    for threads in (1, 2, 8):
        got = sieve.find_many(texts, threads=threads)
        assert [[(m.term_id, m.start, m.end) for m in ms] for ms in got] == expected
    assert [v.action for v in sieve.check_many(texts[:50])] == [sieve.check(t).action for t in texts[:50]]


def test_find_many_rejects_non_str():
    sieve = hansieve.compile(["a"])
    import pytest
    with pytest.raises(TypeError):
        sieve.find_many(["ok", b"bytes"])


def test_find_many_keeps_verification_with_the_default_lexicon():
    """Batched hits go through the same allowlist, jieba boundary check and rules as find()."""
    rng = random.Random(13)
    pieces = ["没办法轮流值班", "法轮功", "法*轮*功", "大麻烦", "大麻", "六 四", "周六四点", "枪支出售",
              "百家乐", "今天天气很好", "，", "fuck", "Sussex", "共铲党"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(600)]
    sieve = hansieve.compile(hansieve.load_lexicon())
    expected = [[(m.term_id, m.start, m.end) for m in sieve.find(t)] for t in texts]
    assert any(expected) and not all(expected)
    got = sieve.find_many(texts, threads=2)
    assert [[(m.term_id, m.start, m.end) for m in ms] for ms in got] == expected


def test_find_many_error_in_the_serial_part_stops_the_workers():
    """find_many finishes scanned chunks (verification, rules) while its worker threads scan
    on; an exception there propagates after the workers are stopped and joined."""
    import pytest
    sieve = hansieve.compile(["法轮", "六四"], verify="all")
    texts = ["没办法轮流值班"] * 20_000
    assert sieve.find_many(texts[:10], threads=2) == [[]] * 10
    calls = []

    def failing(text, hits):
        calls.append(1)
        if len(calls) > 100:
            raise RuntimeError("verifier failed")
        return [False] * len(hits)

    from hansieve.verify import BoundaryVerifier
    original = BoundaryVerifier.__call__
    BoundaryVerifier.__call__ = lambda self, text, hits: failing(text, hits)   # a Sieve is immutable
    try:
        with pytest.raises(RuntimeError, match="verifier failed"):
            sieve.find_many(texts, threads=2)
    finally:
        BoundaryVerifier.__call__ = original
    assert len(calls) == 101
    assert sieve.find_many(texts, threads=2) == [[]] * len(texts)
