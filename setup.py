"""Build of the native core. Metadata lives in pyproject.toml; this file only declares the
extension and its build toggles:

HANSIEVE_SANITIZE=1   AddressSanitizer + UndefinedBehaviorSanitizer build (run the tests with
                      LD_PRELOAD=$(gcc -print-file-name=libasan.so))
HANSIEVE_DEBUG=1      -O0 -g, Cython bounds checks on
HANSIEVE_NATIVE=1     -march=native (local benchmarking only; wheels must stay portable)
"""

import os
import shutil
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
SANITIZE = os.environ.get("HANSIEVE_SANITIZE") == "1"
DEBUG = os.environ.get("HANSIEVE_DEBUG") == "1" or SANITIZE
NATIVE = os.environ.get("HANSIEVE_NATIVE") == "1"

compile_args = ["-std=c++17", "-pthread"]   # find_many runs std::thread workers
link_args = ["-pthread"]
if DEBUG:
    compile_args += ["-O1" if SANITIZE else "-O0", "-g", "-fno-omit-frame-pointer"]
else:
    # GCC leaves the per-symbol step of the scan loop (`feed`, called from six places) out of
    # line at its default limits; inlined, a review scans in 7 % fewer instructions (callgrind:
    # 9,553 -> 8,895 for find() with 10k terms). clang ignores these with a warning.
    compile_args += ["-O3", "--param", "max-inline-insns-single=2000",
                     "--param", "inline-unit-growth=400"]
if SANITIZE:
    flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
    compile_args += flags
    link_args += flags
if NATIVE:
    compile_args += ["-march=native"]

directives = {
    "language_level": 3,
    "embedsignature": True,
    "binding": True,
    "boundscheck": DEBUG,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": DEBUG,
}

extensions = [
    Extension(
        "hansieve._core",
        ["src/hansieve/_core.pyx"],    # includes _scan.pxi, _decide.pxi, ... and the .h files
        include_dirs=["src/hansieve"],
        depends=[str(p) for p in (HERE / "src" / "hansieve").glob("_*.[hp]*")],
        language="c++",
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
    Extension(
        "hansieve._segment",
        ["src/hansieve/_segment.pyx"],
        language="c++",
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
]


class BuildPyWithLexicons(build_py):
    """Ship the top-level `lexicons/` folder inside the package as `hansieve/lexicons/`."""

    def run(self):
        super().run()
        source = HERE / "lexicons"
        target = Path(self.build_lib) / "hansieve" / "lexicons"
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


setup(
    ext_modules=cythonize(extensions, compiler_directives=directives),
    cmdclass={"build_py": BuildPyWithLexicons},
)
