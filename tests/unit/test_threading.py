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
