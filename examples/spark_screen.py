"""Screen a Parquet file of messages on Spark and write the flagged ones as Parquet.

    pip install "hansieve[spark]"          # pyspark, pandas, pyarrow; Spark 4 needs Java 17+
    .venv/bin/python examples/spark_screen.py IN.parquet OUT_DIR [--overwrite] [--column text]
        [--lexicon PATH ...]

Every column of IN is kept; a ``verdict`` column (``hansieve.spark.RESULT_TYPE``: action,
severity, categories, matches) is added, and the rows whose action is ``block`` or ``review`` are
written to OUT_DIR. Rows with a null text are not screened and not written. The lexicon is the
bundled one unless ``--lexicon`` names lexicon files or folders, or one compiled ``.hsv`` file
(``hansieve build``). ``--master`` defaults to ``local[*]``; under ``spark-submit`` pass
``--master ''`` to keep the cluster's.
"""

import argparse
import os
import sys
import time

import hansieve
from hansieve.spark import screen_udf
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import col


def load_sieve(paths: list[str] | None) -> hansieve.Sieve:
    """One compiled ``.hsv`` file is loaded; lexicon files and folders (default: the bundled
    lexicon) are compiled."""
    if paths and len(paths) == 1 and paths[0].endswith(".hsv"):
        return hansieve.load(paths[0])
    return hansieve.compile(hansieve.load_lexicon(paths or None))


def screen(df: DataFrame, sieve: hansieve.Sieve, column: str = "text") -> DataFrame:
    """`df` with a ``verdict`` column, restricted to the flagged rows."""
    verdicts = df.withColumn("verdict", screen_udf(sieve, df.sparkSession)(col(column)))
    return verdicts.where(col("verdict.action") != "pass")


def screen_parquet(spark: SparkSession, src: str, dst: str, sieve: hansieve.Sieve,
                   column: str = "text", mode: str = "errorifexists") -> int:
    """Screen Parquet `src` and write the flagged rows to Parquet `dst`; return how many."""
    flagged = screen(spark.read.parquet(src), sieve, column)
    flagged.write.mode(mode).parquet(dst)
    return spark.read.parquet(dst).count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", metavar="IN.parquet", help="Parquet file or folder of messages")
    parser.add_argument("dst", metavar="OUT_DIR", help="where the flagged rows go (Parquet)")
    parser.add_argument("--column", default="text", help="the text column (default: text)")
    parser.add_argument("--lexicon", action="append", metavar="PATH",
                        help="lexicon file or folder, or one compiled .hsv (repeatable)")
    parser.add_argument("--master", default="local[*]", help="Spark master (default: local[*])")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT_DIR if it exists")
    args = parser.parse_args(argv)
    if not args.overwrite and "://" not in args.dst and os.path.exists(args.dst):
        parser.exit(2, f"{parser.prog}: {args.dst} exists: pass --overwrite to replace it, or "
                       "give another folder\n")

    # Local executors run this interpreter, the one hansieve is installed in (not any python3).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("hansieve-screen")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        sieve = load_sieve(args.lexicon)
        t0 = time.perf_counter()
        n = screen_parquet(spark, args.src, args.dst, sieve, args.column,
                           "overwrite" if args.overwrite else "errorifexists")
        print(f"{n} flagged rows written to {args.dst} in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
    except AnalysisException as exc:
        # A missing input or an existing output (on a cluster's file system): one line, not a
        # py4j traceback.
        print(f"{parser.prog}: {exc.getMessage() if hasattr(exc, 'getMessage') else exc}",
              file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
