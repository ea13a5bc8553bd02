"""(Re)write the seed corpora in fuzz/corpus/ (small on purpose: the fuzzer grows its own
working corpus in a scratch folder, see .ci/fuzz.sh). Run with the package it fuzzes installed:

    python fuzz/make_corpus.py

The load seeds are real compiled files, so they must be rewritten when FORMAT_VERSION changes."""

import hashlib
import random
import shutil
from pathlib import Path

import hansieve

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def write(kind: str, items: list[bytes]) -> None:
    folder = CORPUS / kind
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for data in items:
        (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def main() -> None:
    rng = random.Random(8)
    # scan / stream: the targets read a config byte and then text through FuzzedDataProvider, so
    # random bytes are as good a start as any (coverage guidance does the rest).
    write("scan", [bytes(rng.randrange(256) for _ in range(rng.randint(8, 200))) for _ in range(12)])
    write("stream", [bytes(rng.randrange(256) for _ in range(rng.randint(8, 300))) for _ in range(12)])

    small = ["法轮功", "六四", "fuck", "冰毒", "大麻", hansieve.Term("赌球", "gambling", "review")]
    sieves = [
        hansieve.compile(small, verify="off", variants=False),
        hansieve.compile(small, verify="off", variants=False, match_kind="leftmost_longest"),
        hansieve.compile(small, allow=["大麻烦"], rules=[hansieve.Rule("冰毒", "&", "出售")],
                         verify="off", variants=False),
        hansieve.compile(["冰毒", "法轮功"], verify="off", variants=True),
        hansieve.compile(["a", "aa", "aaa", "x" * 80], verify="off", variants=False,
                         collapse_repeats=False, whole_word=False),
    ]
    load = []
    for i, sieve in enumerate(sieves):
        data = sieve.to_bytes()
        load.append(bytes([i % 3]) + data)
    load.append(b"\x00HANSIEVE")
    write("load", load)

    lexicon = [
        b"\x00# drugs\n\xe5\x86\xb0\xe6\xaf\x92\n\xe5\xa4\xa7\xe9\xba\xbb\tseverity=review\tflags=boundary\n"
        b"AV\xe5\xa5\xb3\xe4\xbc\x98\ttags=adult,jp\n",
        "\x01大麻烦\n反洗钱\r\n".encode(),
        "\x02冰毒&出售\n约炮~警察\n赌球&平台/12\n".encode(),
        "\x03冰毒\tcategory=drugs\n赌球\tseverity=notice\x00大麻烦\x00冰毒&出售/5\n".encode(),
        ('\x04version = "1"\n[[file]]\npath = "list.txt"\nkind = "deny"\ncategory = "drugs"\n'
         'severity = "review"\nsha256 = "0"\n\x00冰毒\n').encode(),
        "\x00\ufeff冰毒\tbad\n*\n冰毒\tseverity=notice\n\xff".encode("utf-8", "surrogatepass"),
    ]
    write("lexicon", lexicon)


if __name__ == "__main__":
    main()
