"""Screen a Spark DataFrame column with a compiled Sieve (the ``hansieve[spark]`` extra).

``screen_udf(sieve)`` broadcasts the Sieve's compiled bytes (:meth:`Sieve.to_bytes`) once and
returns a pandas UDF. On the executors, each Python worker process loads the bytes the first
time a batch needs them and keeps the Sieve in a module-level cache keyed by the bytes' SHA-256,
so the load (and the word-boundary verifier, built on the first hit) happens once per process,
not once per batch or task. Each batch is scanned with :meth:`Sieve.check_many`.

The UDF returns, per row, a struct (:data:`RESULT_TYPE`)::

    struct<action: string,                  block | review | pass
           severity: string,                the strongest severity of the hits; null without hits
           categories: array<string>,       the hits' categories, distinct and sorted
           matches: array<struct<term: string, category: string, severity: string,
                                 start: int, end: int>>>

``matches`` lists every hit in :meth:`Sieve.find` order; ``start``/``end`` are half-open
code-point offsets into the text (Spark's ``substring(text, start + 1, end - start)`` is the
hit), and ``verdict.matches.term`` is the array of matched terms. A null text is not screened:
every field of its result is null (``action`` too, not ``"pass"``), as Spark's own functions
return null for null input; ``where(verdict.action != "pass")`` therefore drops it. Any other
value that is not a string raises TypeError: screen a string column.

Needs a classic SparkSession (Spark Connect has no broadcast variables).
"""

import hashlib
import os
import threading
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

try:
    # pandas' stubs are a separate package (pandas-stubs), absent here and not required
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    from pyspark.sql import SparkSession
    from pyspark.sql.pandas.functions import pandas_udf
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType
except ImportError as exc:
    raise ImportError(f"hansieve.spark needs the spark extra (pip install 'hansieve[spark]'): "
                      f"{exc}") from exc

from ._core import Sieve

if TYPE_CHECKING:
    from pyspark import Broadcast
    # a stub-only module
    from pyspark.sql._typing import UserDefinedFunctionLike

__all__ = ["MATCH_TYPE", "RESULT_TYPE", "screen_udf", "sieve_digest", "worker_stats"]

#: One hit of the ``matches`` array.
MATCH_TYPE = StructType([
    StructField("term", StringType()),
    StructField("category", StringType()),
    StructField("severity", StringType()),
    StructField("start", IntegerType()),
    StructField("end", IntegerType()),
])

#: What the UDF returns for each row.
RESULT_TYPE = StructType([
    StructField("action", StringType()),
    StructField("severity", StringType()),
    StructField("categories", ArrayType(StringType())),
    StructField("matches", ArrayType(MATCH_TYPE)),
])

# Executor side: the Sieves this Python process has loaded, by digest (a few at most: a driver
# that swaps lexicons broadcasts new bytes under a new digest; the oldest Sieve is dropped).
_CACHE_SIZE = 4
_sieves: "OrderedDict[str, Sieve]" = OrderedDict()
_lock = threading.Lock()
_loads: Counter[str] = Counter()
_batches: Counter[str] = Counter()


def sieve_digest(data: bytes) -> str:
    """The cache key of compiled bytes: their SHA-256, hex."""
    return hashlib.sha256(data).hexdigest()


def worker_stats() -> dict[str, Any]:
    """What this Python process has done: ``{"pid", "loads", "batches"}``, the last two by digest.

    On an executor, ``loads[digest]`` stays 1 however many batches (``batches[digest]``) the
    process screens.
    """
    with _lock:
        return {"pid": os.getpid(), "loads": dict(_loads), "batches": dict(_batches)}


def _sieve(digest: str, broadcast: "Broadcast[bytes]") -> Sieve:
    """The Sieve for `digest`, loaded from the broadcast bytes the first time in this process."""
    with _lock:
        sieve = _sieves.get(digest)
        if sieve is None:
            sieve = Sieve.from_bytes(broadcast.value)
            _sieves[digest] = sieve
            _loads[digest] += 1
            while len(_sieves) > _CACHE_SIZE:
                _sieves.popitem(last=False)
        else:
            _sieves.move_to_end(digest)
        _batches[digest] += 1
        return sieve


def _is_null(value: Any) -> bool:
    # pandas hands a null string over as None, or as NaN (pandas 3's str dtype), or pd.NA
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _screen(sieve: Sieve, texts: "pd.Series[Any]", threads: int) -> pd.DataFrame:
    """One batch: a row of RESULT_TYPE per text, every field null where the text is null."""
    values = texts.tolist()
    present = [i for i, t in enumerate(values) if isinstance(t, str)]
    if len(present) < len(values):
        for t in values:
            if not isinstance(t, str) and not _is_null(t):
                raise TypeError(f"hansieve.spark screens a string column, got a "
                                f"{type(t).__name__} value: {t!r:.80}")
    n = len(values)
    action: list[str | None] = [None] * n
    severity: list[str | None] = [None] * n
    categories: list[list[str] | None] = [None] * n
    matches: list[list[dict[str, Any]] | None] = [None] * n
    verdicts = sieve.check_many([values[i] for i in present], threads) if present else []
    for i, v in zip(present, verdicts):
        action[i] = v.action
        severity[i] = v.severity
        categories[i] = list(v.categories)
        matches[i] = [{"term": m.term, "category": m.category, "severity": m.severity,
                       "start": m.start, "end": m.end} for m in v.matches]
    return pd.DataFrame({"action": action, "severity": severity, "categories": categories,
                         "matches": matches}, dtype=object)


def screen_udf(sieve: Sieve | bytes, spark: SparkSession | None = None, *,
               threads: int = 1) -> "UserDefinedFunctionLike":
    """A pandas UDF from a string column to :data:`RESULT_TYPE`, screening with `sieve`.

    Parameters
    ----------
    sieve : Sieve or bytes
        A Sieve, or its compiled bytes (:meth:`Sieve.to_bytes`, the content of a file written by
        :meth:`Sieve.save`). Bytes are validated here, on the driver.
    spark : SparkSession, optional
        The session whose SparkContext broadcasts the bytes; default: the active session.
    threads : int
        Native threads per batch (:meth:`Sieve.check_many`). Spark already runs one task per
        core, hence 1.

    Examples
    --------
    ``df.withColumn("verdict", screen_udf(sieve)("text")).where("verdict.action != 'pass'")``
    """
    if threads < 0:
        raise ValueError(f"threads must be >= 0, got {threads}")
    if isinstance(sieve, Sieve):
        data = sieve.to_bytes()
    else:
        data = bytes(sieve)
        Sieve.from_bytes(data)  # fail here, not in every executor
    session = spark if spark is not None else SparkSession.active()
    broadcast = session.sparkContext.broadcast(data)
    digest = sieve_digest(data)

    def screen(texts: pd.Series) -> pd.DataFrame:
        return _screen(_sieve(digest, broadcast), texts, threads)

    # pyspark's overloads spell pandas types, unknown without pandas-stubs: no overload matches
    udf: "UserDefinedFunctionLike" = pandas_udf(  # type: ignore[call-overload,unused-ignore]
        screen, RESULT_TYPE)
    return udf
