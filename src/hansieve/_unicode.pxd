# PEP 393 access to str buffers, shared by the native modules: read code points where CPython
# keeps them (1, 2 or 4 bytes each), without re-encoding.

cdef extern from "Python.h":
    int PyUnicode_READY(object) except -1
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)
