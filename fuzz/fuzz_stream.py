"""atheris target: the streaming scanner. For text cut into chunks at arbitrary points (empty
chunks included), ``sieve.stream()``'s ``feed(chunk)`` results followed by ``close()`` must be
exactly ``sieve.find(text)`` on the whole text (absolute offsets), and ``find`` must in turn
equal the oracle. Exits 0 with a notice when the installed hansieve has no ``Sieve.stream``."""

import sys

import atheris

import hansieve

from common import text_from
import fuzz_scan  # the configurations and the oracle check

HAVE_STREAM = hasattr(hansieve.Sieve, "stream")
VERIFIED = fuzz_scan.VERIFIED
VARIANTS = fuzz_scan.VARIANTS


def full(match) -> tuple:
    return (match.term_id, match.start, match.end, match.term, match.category, match.severity)


def streamed(sieve, text: str, cuts: list[int]):
    stream = sieve.stream()
    out = []
    last = 0
    for cut in cuts:
        out += stream.feed(text[last:cut])
        last = cut
    out += stream.feed(text[last:])
    out += stream.close()
    return out


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, len(fuzz_scan.CONFIGS) + 2)
    text = text_from(fdp, 160)
    cuts = sorted(fdp.ConsumeIntInRange(0, len(text)) for _ in range(fdp.ConsumeIntInRange(0, 8)))
    if which < len(fuzz_scan.CONFIGS):
        sieve = fuzz_scan.SIEVES[which]
        fuzz_scan.check(fuzz_scan.CONFIGS[which], sieve, text)   # find == oracle
    else:
        sieve = (VERIFIED, VARIANTS, fuzz_scan.CHANNEL)[which - len(fuzz_scan.CONFIGS)]
    want = [full(m) for m in sieve.find(text)]
    got = [full(m) for m in streamed(sieve, text, cuts)]
    assert got == want, (which, text, cuts, got, want)


def main() -> None:
    if not HAVE_STREAM:
        print("fuzz_stream: this hansieve has no Sieve.stream() yet; nothing to fuzz", file=sys.stderr)
        return
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
