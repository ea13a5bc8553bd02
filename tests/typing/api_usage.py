"""Public API usage that mypy checks against the .pyi stubs (tests/unit/test_typing.py)."""

import hansieve

s: hansieve.Sieve = hansieve.compile(["法轮功"])
hits: list[hansieve.Match] = s.find("法輪功")
m = s.first("法輪功")
if m is not None:
    term: str = m.term
    start: int = m.start
ok: bool = s.contains("x")
n: int = s.count("x")
v: hansieve.Verdict = s.check("x")
masked: str = s.mask("x", "#")


def stream_usage(sieve: hansieve.Sieve, tokens: list[str]) -> list[hansieve.Match]:
    stream: hansieve.Stream = sieve.stream()
    hits: list[hansieve.Match] = []
    for token in tokens:
        hits += stream.feed(token)
        shown: int = stream.settled
        assert shown <= stream.position and stream.buffered >= 0 and not stream.closed
    return hits + stream.close()
