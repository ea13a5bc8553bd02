# The native core: the per-code-point fold table, the Aho-Corasick automaton and the scan loops.
#
# Compile-time work that needs Python (OpenCC data, term validation, the alphabet) happens in
# `compile.py`; this module turns its output into flat arrays and scans `str` buffers directly
# (PEP 393, no re-encoding) with the GIL released. It is the ground floor: it imports nothing
# of the package (docs/DESIGN.md, tests/unit/test_layers.py).
#
# One module, one compilation unit (the scan loop's helpers must inline), in parts:
#   _core.pxd       the structs, flag bits and class declarations
#   _errors.pxi     the exception hierarchy (re-exported by errors.py)
#   _scan.pxi       the scan loop (and the per-message task of find_many's pool, _batch.h)
#   _decide.pxi     what happens to raw hits after the scan
#   _classes.pxi    Match, Verdict, Sieve, Stream
#   _build.pxi      the builder (trie, layout, failure links, outputs; helpers in _build.h)
#   _format.pxi     compiled files (checksum in _checksum.h)

cimport cython
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport calloc, free, malloc
from cython.operator cimport dereference
from libcpp.algorithm cimport sort, stable_sort
from libcpp.unordered_map cimport unordered_map
from libcpp.utility cimport pair
from libcpp.vector cimport vector

from hansieve._trie cimport hs_trie
from hansieve._unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READY

include "_errors.pxi"
include "_scan.pxi"
include "_decide.pxi"
include "_classes.pxi"
include "_build.pxi"
include "_format.pxi"
