"""Screen a model's output while it streams, and stop generation at the first `block` hit.

    python examples/stream_model_output.py

`generate()` stands in for a model's token iterator (an LLM client's streaming response yields
text deltas just like it). Each token goes to `Stream.feed`, which returns the hits completed so
far with offsets into the whole answer; a hit that spans tokens (法 | 輪 | 功) is found when its
last character arrives (or, when it needs the word-boundary check, up to 20 characters later).

Text is shown only up to `Stream.settled`: the offset before which no hit can still start. The
few characters after it are held back, so the first characters of a term that will be blocked
never reach the user.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import hansieve


def generate() -> Iterator[str]:
    """A stand-in for a model's streamed answer."""
    yield from ["关于", "这个", "问题", "，", "有人", "提到", "法", "*輪", "*功", "，", "但是",
                "我", "不能", "继续", "讨论", "。"]


def screened(tokens: Iterable[str], sieve: hansieve.Sieve) -> Iterator[str]:
    """Yield the answer's text as it becomes safe to show; at the first `block` hit, stop (the
    caller then cancels the model's stream) and yield a notice instead. `review` hits are
    logged and let through."""
    stream = sieve.stream()
    answer = ""
    shown = 0

    def act(hits: list[hansieve.Match]) -> bool:
        for m in hits:
            print(f"[{m.severity or 'block'}: {m.term} ({m.category}) at {m.start}-{m.end}]")
        return any(m.severity in ("block", None) for m in hits)

    for token in tokens:
        answer += token
        if act(stream.feed(token)):
            yield "[内容已屏蔽]"
            return
        yield answer[shown:stream.settled]
        shown = stream.settled
    if act(stream.close()):
        yield "[内容已屏蔽]"
        return
    yield answer[shown:]


def main() -> None:
    sieve = hansieve.compile(hansieve.load_lexicon())
    print("".join(screened(generate(), sieve)))


if __name__ == "__main__":
    main()
