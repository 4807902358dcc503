# cython: language_level=3
"""The common path of the OpenAlex works reader, compiled.

:func:`consume_works` appends works decoded by msgspec (``ecosystem.readers._json``)
to the reader's typed arrays exactly as the Python loop in
``ecosystem.readers.openalex`` does, as long as every field has its usual shape
(canonical ids, known years, ``referenced_works`` a plain list of work ids). At the
first work that needs anything else — a merged or excluded work, an id to parse the
slow way, an error — it undoes what it wrote for that work and returns its index:
the Python loop then reads that work (and reports its error) and calls back for the
rest. Both paths add the same numbers in the same order, so the arrays and the
report do not depend on which path read a work (``tests/test_openalex_fast.py``).

Works decoded with raw ``authorships`` (``_json.MWorkRaw``) are read from the bytes of
that value: :func:`scan_authorships` puts author and institution numbers, countries and
the corresponding flag of a block into C buffers (:class:`AuthScan`), institutions are
looked up by number in a C hash table (:class:`InstCache`); a work the scanner cannot
read is rebuilt as a struct by the reader (``tests/test_openalex_raw_scan.py``). Also
compiled here: the unique-and-inverse hash of the assembly (:func:`first_seen_codes`),
label strings (:func:`number_labels`) and newline counting (:func:`count_newlines`).
"""

from cpython cimport array
from cpython.object cimport Py_SIZE
from cpython.ref cimport PyObject
from libc.stdlib cimport free, realloc
from libc.string cimport memchr, memcmp, memcpy

cimport cython

cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object s, Py_ssize_t* size) except NULL


cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member

# Fields of the msgspec structs of ``_json`` are read at their slot offsets (found once
# from the member descriptors) after an exact type check: no attribute look-up.
cdef object T_WORK = None, T_AUTHORSHIP = None, T_AUTHOR = None, T_INST = None
cdef object T_WORKR = None
cdef Py_ssize_t O_W_ID, O_W_YEAR, O_W_TYPE, O_W_PARA, O_W_AUTHS, O_W_TRUNC, O_W_REFS
cdef Py_ssize_t O_R_ID, O_R_YEAR, O_R_TYPE, O_R_PARA, O_R_AUTHS, O_R_TRUNC, O_R_REFS
cdef Py_ssize_t O_R_RESULTS
cdef Py_ssize_t O_AU_AUTHOR, O_AU_INSTS, O_AU_CTRS, O_AU_CORR, O_A_ID, O_I_ID


cdef Py_ssize_t _offset(cls, name) except -1:
    d = cls.__dict__[name]
    if type(d).__name__ != "member_descriptor":
        raise TypeError(f"{cls.__name__}.{name} is not a slot")
    return (<PyMemberDescrObject*><PyObject*>d).d_member.offset


cdef int _init_types() except -1:
    global T_WORK, T_AUTHORSHIP, T_AUTHOR, T_INST, T_WORKR
    global O_R_ID, O_R_YEAR, O_R_TYPE, O_R_PARA, O_R_AUTHS, O_R_TRUNC, O_R_REFS, O_R_RESULTS
    global O_W_ID, O_W_YEAR, O_W_TYPE, O_W_PARA, O_W_AUTHS, O_W_TRUNC, O_W_REFS
    global O_AU_AUTHOR, O_AU_INSTS, O_AU_CTRS, O_AU_CORR, O_A_ID, O_I_ID
    from . import _json
    W, AU, A, I = _json.MWork, _json.MAuthorship, _json.MAuthor, _json.MInst
    O_W_ID, O_W_YEAR, O_W_TYPE = _offset(W, "id"), _offset(W, "publication_year"), \
        _offset(W, "type")
    O_W_PARA, O_W_AUTHS = _offset(W, "is_paratext"), _offset(W, "authorships")
    O_W_TRUNC, O_W_REFS = _offset(W, "is_authors_truncated"), _offset(W, "referenced_works")
    O_AU_AUTHOR, O_AU_INSTS = _offset(AU, "author"), _offset(AU, "institutions")
    O_AU_CTRS, O_AU_CORR = _offset(AU, "countries"), _offset(AU, "is_corresponding")
    O_A_ID, O_I_ID = _offset(A, "id"), _offset(I, "id")
    R = _json.MWorkRaw
    O_R_ID, O_R_YEAR, O_R_TYPE = _offset(R, "id"), _offset(R, "publication_year"), \
        _offset(R, "type")
    O_R_PARA, O_R_AUTHS = _offset(R, "is_paratext"), _offset(R, "authorships")
    O_R_TRUNC, O_R_REFS = _offset(R, "is_authors_truncated"), _offset(R, "referenced_works")
    O_R_RESULTS = _offset(R, "results")
    T_WORK, T_AUTHORSHIP, T_AUTHOR, T_INST, T_WORKR = W, AU, A, I, R
    return 0


cdef inline object _f(object o, Py_ssize_t off):
    """The field at slot offset ``off`` of a struct whose exact type was checked."""
    cdef PyObject* p = (<PyObject**>((<char*><PyObject*>o) + off))[0]
    if p == NULL:
        raise AttributeError("unset field")
    return <object>p


__all__ = ["AuthScan", "InstCache", "consume_works", "count_newlines", "first_seen_codes",
           "number_labels", "scan_authorships"]

cdef const char* _PW = b"https://openalex.org/W"
cdef const char* _PA = b"https://openalex.org/A"
cdef const char* _PREFIX = b"https://openalex.org/"
cdef Py_ssize_t _NP = 22          # len("https://openalex.org/W")
cdef Py_ssize_t _NPREFIX = 21     # len("https://openalex.org/")


cdef inline int _push_q(array.array a, long long v) except -1:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_longlongs[n] = v
    return 0


cdef inline int _push_i(array.array a, int v) except -1:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_ints[n] = v
    return 0


cdef inline int _push_b(array.array a, signed char v) except -1:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_schars[n] = v
    return 0


cdef inline int _push_d(array.array a, double v) except -1:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_doubles[n] = v
    return 0


cdef long long _MAX_INUM = ((1LL << 63) - 1 - 1023) // 1024   # location codes fit int64


cdef inline long long _loc(long long inum, long long ci) except? -1:
    """The location code ``inum * 1024 + ci``; OverflowError (the Python loop then reads
    the work and reports it, as its typed array does) when it does not fit int64."""
    if inum < 0 or inum > _MAX_INUM:
        raise OverflowError("institution number out of range for a location code")
    return inum * 1024 + ci


cdef inline long long _id_number(object s, const char* prefix) except -2:
    """The number of a canonical id ``prefix`` + 1..18 ASCII digits, else -1."""
    cdef Py_ssize_t size, i
    cdef const char* p
    cdef long long n = 0
    if type(s) is not str:
        return -1
    p = PyUnicode_AsUTF8AndSize(s, &size)
    if size <= _NP or size > _NP + 18 or memcmp(p, prefix, _NP) != 0:
        return -1
    for i in range(_NP, size):
        if p[i] < 48 or p[i] > 57:
            return -1
        n = n * 10 + (p[i] - 48)
    return n


cdef inline Py_ssize_t _skip_ws(const unsigned char[::1] b, Py_ssize_t i):
    while i < b.shape[0] and (b[i] == 32 or b[i] == 9 or b[i] == 10 or b[i] == 13):
        i += 1
    return i


cdef Py_ssize_t _refs(const unsigned char[::1] b, array.array out) except -2:
    """Append the numbers of a canonical ``["https://openalex.org/W1", ...]``.

    Returns how many, or -1 (nothing appended) when the value has any other shape.
    """
    cdef Py_ssize_t n = b.shape[0], i, count = 0, start = len(out), digits
    cdef unsigned long long v   # at most 19 digits are read: no overflow
    i = _skip_ws(b, 0)
    if i >= n or b[i] != 91:   # [
        return -1
    i = _skip_ws(b, i + 1)
    if i < n and b[i] == 93:   # ]
        return 0 if _skip_ws(b, i + 1) == n else -1
    while i < n and b[i] == 34:   # "
        i += 1
        if n - i >= _NPREFIX and memcmp(&b[i], _PREFIX, _NPREFIX) == 0:
            i += _NPREFIX
        if i >= n or (b[i] != 87 and b[i] != 119):   # W w
            break
        i += 1
        v = 0
        digits = 0
        while i < n and 48 <= b[i] <= 57 and digits < 19:
            v = v * 10 + (b[i] - 48)
            digits += 1
            i += 1
        if digits == 0 or digits > 18 or i >= n or b[i] != 34:
            break
        _push_q(out, <long long>v)
        count += 1
        i = _skip_ws(b, i + 1)
        if i < n and b[i] == 44:   # ,
            i = _skip_ws(b, i + 1)
            continue
        if i < n and b[i] == 93 and _skip_ws(b, i + 1) == n:
            return count
        break
    array.resize(out, start)
    return -1


cdef int _MAXU = 16
cdef list _CODES = [chr(65 + a) + chr(65 + b) for a in range(26) for b in range(26)]
cdef PyObject* _CODE_STR[676]   # two capitals (index 26 a + b) -> str, held by _CODES
for _i in range(676):
    _CODE_STR[_i] = <PyObject*>_CODES[_i]   # institutions and countries of one authorship on the C-array path


cdef inline bint _is_code(object c):
    """A normalised country code: two ASCII capitals (strip().upper() leaves it as is)."""
    cdef Py_ssize_t size
    cdef const char* p
    if type(c) is not str:
        return False
    p = PyUnicode_AsUTF8AndSize(c, &size)
    return size == 2 and 65 <= p[0] <= 90 and 65 <= p[1] <= 90


cdef inline bint _eq(PyObject* a, PyObject* b):
    """``a == b`` for country codes (str or None)."""
    if a == b:
        return True
    if <object>a is None or <object>b is None:
        return False
    return (<str><object>a) == (<str><object>b)


def _rows_any(insts, ctrs, long long anum, double wa, state, dict icache, dict cidx,
              inst_entry, tuple inst_args, array.array row_actor, array.array row_loc,
              array.array row_w):
    """Rows of an authorship with any institutions and countries (codes to normalise).

    Returns the organisation type of its first institution, or ``(type,)`` when the
    authorship has no country at all.
    """
    units = []
    for inst in insts or ():
        if inst.id is None:
            continue
        e = icache.get(inst.id)
        if e is None:
            e = inst_entry(state, inst, *inst_args)
        units.append(e)
    if ctrs:
        ctrs = list(dict.fromkeys([c.strip().upper() for c in ctrs]))
    else:
        ctrs = list(dict.fromkeys([u[1] for u in units if u[1]]))
    otype = units[0][2] if units else None
    if not ctrs:
        return (otype,)
    floating = [u for u in units if u[1] is None]
    if floating:
        covered = {u[1] for u in units}
        uncovered = [c for c in ctrs if c not in covered]
        if len(uncovered) == 1:
            units = [u if u[1] is not None else (u[0], uncovered[0], u[2], -1)
                     for u in units]
    wc = wa / len(ctrs)
    for c in ctrs:
        ci = cidx.get(c)
        if ci is None:
            ci = state.country(c)
        us = [u for u in units if u[1] == c]
        if not us:
            _push_q(row_actor, anum)
            _push_q(row_loc, ci)
            _push_d(row_w, wc)
        else:
            wu = wc / len(us)
            for u in us:
                _push_q(row_actor, anum)
                _push_q(row_loc, _loc(<long long>u[0], ci))
                _push_d(row_w, wu)
    return otype


# ------------------------------------------------------------ raw authorships scanner
#
# ``authorships`` decoded as msgspec.Raw (``_json.MWorkRaw``) is read here from its
# bytes: author ids, institution ids, countries and the corresponding flag go straight
# into C buffers, with no Python object per field. The scanner accepts only a strict
# subset of what the struct decoder accepts (canonical ids, two-capital country codes,
# ASCII strings without escapes in the fields it reads, at most _MAXU institutions and
# countries an authorship, no repeated key) and checks the JSON type of every field the
# struct decoder would check. Any other work is "odd": the reader decodes it again as
# an ``MWork`` struct (the reference, which also reports its errors).

cdef struct Buf:
    long long* p
    Py_ssize_t n
    Py_ssize_t cap


cdef int _bpush(Buf* b, long long v) except -1:
    cdef Py_ssize_t cap
    cdef long long* q
    if b.n == b.cap:
        cap = b.cap * 2 if b.cap else 4096
        q = <long long*>realloc(b.p, cap * sizeof(long long))
        if q == NULL:
            raise MemoryError()
        b.p = q
        b.cap = cap
    b.p[b.n] = v
    b.n += 1
    return 0


cdef class AuthScan:
    """The authorships of a block of works, read from their raw JSON by
    :func:`scan_authorships`; ``odd`` lists the works it could not read."""
    cdef Buf w_au            # per work: its first authorship (one more entry at the end)
    cdef Buf au_num          # per authorship: author number, -1 without id
    cdef Buf au_corr         # is_corresponding is true
    cdef Buf au_in           # first institution (one more entry at the end)
    cdef Buf au_ct           # first country (one more entry at the end)
    cdef Buf in_num          # per institution: number, -1 without id
    cdef Buf in_s, in_e      # its object's byte span in the raw authorships
    cdef Buf ct              # per country: code c0 * 256 + c1
    cdef public list odd

    def __dealloc__(self):
        free(self.w_au.p)
        free(self.au_num.p)
        free(self.au_corr.p)
        free(self.au_in.p)
        free(self.au_ct.p)
        free(self.in_num.p)
        free(self.in_s.p)
        free(self.in_e.p)
        free(self.ct.p)


cdef inline Py_ssize_t _ws(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    while i < n and (s[i] == 32 or s[i] == 9 or s[i] == 10 or s[i] == 13):
        i += 1
    return i


cdef Py_ssize_t _skip_str(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    """After the string starting at ``s[i] == '"'``, or -1 (its characters were checked
    by msgspec when it skipped the raw value)."""
    cdef const unsigned char* p
    cdef Py_ssize_t j, k
    i += 1
    while i < n:
        p = <const unsigned char*>memchr(&s[i], 34, n - i)
        if p == NULL:
            return -1
        j = p - s
        k = j - 1
        while k >= i and s[k] == 92:   # an odd run of backslashes escapes the quote
            k -= 1
        if (j - 1 - k) % 2 == 0:
            return j + 1
        i = j + 1
    return -1


cdef inline bint _lit(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, const char* w,
                      Py_ssize_t k) noexcept:
    return n - i >= k and memcmp(&s[i], w, k) == 0


cdef Py_ssize_t _skip_val(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    """After the JSON value at ``s[i]``, or -1 (anything unexpected).

    msgspec checked the whole raw value when it skipped it: a nested array or object is
    passed over by counting brackets outside strings."""
    cdef unsigned char c
    cdef Py_ssize_t level
    if i >= n:
        return -1
    c = s[i]
    if c == 34:
        return _skip_str(s, i, n)
    if c == 123 or c == 91:   # { [
        level = 0
        while i < n:
            c = s[i]
            if c == 34:
                i = _skip_str(s, i, n)
                if i < 0:
                    return -1
                continue
            if c == 123 or c == 91:
                level += 1
            elif c == 125 or c == 93:
                level -= 1
                if level == 0:
                    return i + 1
            i += 1
        return -1
    if c == 116:
        return i + 4 if _lit(s, i, n, b"true", 4) else -1
    if c == 102:
        return i + 5 if _lit(s, i, n, b"false", 5) else -1
    if c == 110:
        return i + 4 if _lit(s, i, n, b"null", 4) else -1
    if c == 45 or 48 <= c <= 57:
        i += 1
        while i < n and (48 <= s[i] <= 57 or s[i] == 46 or s[i] == 101 or s[i] == 69
                         or s[i] == 43 or s[i] == 45):
            i += 1
        return i
    return -1


cdef inline Py_ssize_t _tstr(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                             Py_ssize_t* end) noexcept:
    """A plain string (printable ASCII, no escape) at ``s[i]``: after it, or -1;
    ``end[0]`` is the position of its closing quote."""
    if i >= n or s[i] != 34:
        return -1
    i += 1
    while i < n:
        if s[i] == 34:
            end[0] = i
            return i + 1
        if s[i] < 32 or s[i] > 126 or s[i] == 92:
            return -1
        i += 1
    return -1


cdef inline bint _null(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    return _lit(s, i, n, b"null", 4)


cdef long long _canon(const unsigned char* s, Py_ssize_t a, Py_ssize_t b, char letter,
                      bint zero_ok) noexcept:
    """The number of ``https://openalex.org/<letter><digits>`` in s[a:b], else -1."""
    cdef long long v = 0
    cdef Py_ssize_t i
    if b - a <= _NP or b - a > _NP + 18 or memcmp(&s[a], _PREFIX, _NPREFIX) != 0 \
            or s[a + _NPREFIX] != letter:
        return -1
    if not zero_ok and s[a + _NP] == 48:
        return -1
    for i in range(a + _NP, b):
        if s[i] < 48 or s[i] > 57:
            return -1
        v = v * 10 + (s[i] - 48)
    return v


cdef inline int _member(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                        Py_ssize_t* value) noexcept:
    """Which used key starts at s[i], 0 for any other, -1 if unreadable; ``value[0]``:
    where its value starts (after the colon and blanks).

    1 author, 2 institutions, 3 countries, 4 is_corresponding, 5 id, 6 country_code,
    7 type, 8 lineage. A key with an escape may spell a used one (``"\\u0069d"``): -1,
    the work is then read by the struct decoder."""
    cdef Py_ssize_t e = 0, k, j
    if i >= n or s[i] != 34:
        return -1
    j = i + 1
    while j < n and s[j] != 34:
        if s[j] == 92 or s[j] < 32:
            return -1
        j += 1
    if j >= n:
        return -1
    k = j - i - 1
    i += 1
    j = _ws(s, j + 1, n)
    if j >= n or s[j] != 58:   # :
        return -1
    value[0] = _ws(s, j + 1, n)
    if k == 6 and memcmp(&s[i], b"author", 6) == 0:
        return 1
    if k == 12 and memcmp(&s[i], b"institutions", 12) == 0:
        return 2
    if k == 9 and memcmp(&s[i], b"countries", 9) == 0:
        return 3
    if k == 16 and memcmp(&s[i], b"is_corresponding", 16) == 0:
        return 4
    if k == 2 and memcmp(&s[i], b"id", 2) == 0:
        return 5
    if k == 12 and memcmp(&s[i], b"country_code", 12) == 0:
        return 6
    if k == 4 and memcmp(&s[i], b"type", 4) == 0:
        return 7
    if k == 7 and memcmp(&s[i], b"lineage", 7) == 0:
        return 8
    return 0


cdef inline Py_ssize_t _next(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                             unsigned char close, bint* more) noexcept:
    """After a member: past ``,`` (more) or the closing bracket (not more); -1 else."""
    i = _ws(s, i, n)
    if i < n and s[i] == 44:
        more[0] = True
        return _ws(s, i + 1, n)
    if i < n and s[i] == close:
        more[0] = False
        return i + 1
    return -1


cdef inline Py_ssize_t _open(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                             unsigned char open_, unsigned char close, bint nullable,
                             bint* more) noexcept:
    """At a container opened by ``open_`` (or ``null``, when nullable): its first member
    (more), or after the empty container or the null (not more); -1 else."""
    if nullable and _null(s, i, n):
        more[0] = False
        return i + 4
    if i >= n or s[i] != open_:
        return -1
    i = _ws(s, i + 1, n)
    if i < n and s[i] == close:
        more[0] = False
        return i + 1
    more[0] = True
    return i


cdef Py_ssize_t _opt_str(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    """A ``str | null`` field read as a plain string: after it, or -1."""
    cdef Py_ssize_t e
    if _null(s, i, n):
        return i + 4
    return _tstr(s, i, n, &e)


cdef Py_ssize_t _inst(AuthScan sc, const unsigned char* s, Py_ssize_t i, Py_ssize_t n):
    """An institution object at s[i] (``{``): its id and span pushed; after it, or -1."""
    cdef Py_ssize_t i0 = i, e = 0, j
    cdef int key, seen = 0
    cdef long long num = -1
    cdef bint more, lmore
    i = _open(s, i, n, 123, 125, False, &more)
    if i < 0:
        return -1
    while more:
        key = _member(s, i, n, &i)
        if key < 0 or (key and (seen >> key) & 1):
            return -1
        seen |= 1 << key
        if key == 5:   # id: str | null
            if _null(s, i, n):
                i += 4
            else:
                j = i + 1
                i = _tstr(s, i, n, &e)
                if i < 0:
                    return -1
                num = _canon(s, j, e, 73, False)   # I, no leading zero (ids cached as str)
                if num < 0:
                    return -1
        elif key == 6 or key == 7:   # country_code, type: str | null
            i = _opt_str(s, i, n)
        elif key == 8:   # lineage: list[str] | null
            i = _open(s, i, n, 91, 93, True, &lmore)
            while i >= 0 and lmore:
                i = _tstr(s, i, n, &e)
                if i >= 0:
                    i = _next(s, i, n, 93, &lmore)
        else:   # any other key: any value
            i = _skip_val(s, i, n)
        if i < 0:
            return -1
        i = _next(s, i, n, 125, &more)
        if i < 0:
            return -1
    _bpush(&sc.in_num, num)
    _bpush(&sc.in_s, i0)
    _bpush(&sc.in_e, i)
    return i


cdef Py_ssize_t _authorship(AuthScan sc, const unsigned char* s, Py_ssize_t i,
                            Py_ssize_t n):
    """An authorship object at s[i]: its fields pushed; after it, or -1."""
    cdef Py_ssize_t e = 0, j, cnt
    cdef int key, seen = 0, akey, aseen
    cdef long long anum = -1, corr = 0
    cdef bint more, amore
    i = _open(s, i, n, 123, 125, False, &more)
    if i < 0:
        return -1
    _bpush(&sc.au_in, sc.in_num.n)
    _bpush(&sc.au_ct, sc.ct.n)
    while more:
        key = _member(s, i, n, &i)
        if key < 0 or (key and (seen >> key) & 1):
            return -1
        seen |= 1 << key
        if key == 1:   # author: {"id": str | null, ...} | null
            i = _open(s, i, n, 123, 125, True, &amore)
            aseen = 0
            while i >= 0 and amore:
                akey = _member(s, i, n, &i)
                if akey < 0 or (akey and (aseen >> akey) & 1):
                    return -1
                aseen |= 1 << akey
                if akey == 5:
                    if _null(s, i, n):
                        i += 4
                        anum = -1
                    else:
                        j = i + 1
                        i = _tstr(s, i, n, &e)
                        if i < 0:
                            return -1
                        anum = _canon(s, j, e, 65, True)   # A
                        if anum < 0:
                            return -1
                else:
                    i = _skip_val(s, i, n)
                if i < 0:
                    return -1
                i = _next(s, i, n, 125, &amore)
        elif key == 2:   # institutions: list[MInst] | null
            i = _open(s, i, n, 91, 93, True, &amore)
            cnt = 0
            while i >= 0 and amore:
                cnt += 1
                if cnt > _MAXU:
                    return -1
                i = _inst(sc, s, i, n)
                if i >= 0:
                    i = _next(s, i, n, 93, &amore)
        elif key == 3:   # countries: list[str] | null, here two capitals each
            i = _open(s, i, n, 91, 93, True, &amore)
            cnt = 0
            while i >= 0 and amore:
                cnt += 1
                if cnt > _MAXU:
                    return -1
                j = i + 1
                i = _tstr(s, i, n, &e)
                if i < 0 or e - j != 2 or not (65 <= s[j] <= 90) \
                        or not (65 <= s[j + 1] <= 90):
                    return -1
                _bpush(&sc.ct, (s[j] - 65) * 26 + (s[j + 1] - 65))
                i = _next(s, i, n, 93, &amore)
        elif key == 4:   # is_corresponding: bool | null
            if _lit(s, i, n, b"true", 4):
                corr = 1
                i += 4
            elif _lit(s, i, n, b"false", 5):
                corr = 0
                i += 5
            elif _null(s, i, n):
                corr = 0
                i += 4
            else:
                return -1
        else:
            i = _skip_val(s, i, n)
        if i < 0:
            return -1
        i = _next(s, i, n, 125, &more)
        if i < 0:
            return -1
    _bpush(&sc.au_num, anum)
    _bpush(&sc.au_corr, corr)
    return i


cdef Py_ssize_t _authorships(AuthScan sc, const unsigned char* s, Py_ssize_t n):
    """A whole raw ``authorships`` value; 0, or -1 when it is not read here."""
    cdef bint more
    cdef Py_ssize_t i = _open(s, _ws(s, 0, n), n, 91, 93, True, &more)
    while i >= 0 and more:
        i = _authorship(sc, s, i, n)
        if i >= 0:
            i = _next(s, i, n, 93, &more)
    return 0 if i >= 0 and _ws(s, i, n) == n else -1


cdef extern from "Python.h":
    ctypedef struct Py_buffer:
        void* buf
        Py_ssize_t len
    int PyObject_GetBuffer(object obj, Py_buffer* view, int flags) except -1
    void PyBuffer_Release(Py_buffer* view)
    int PyBUF_SIMPLE


def scan_authorships(list works):
    """Read the raw authorships of a block of ``MWorkRaw`` works into an :class:`AuthScan`.

    Returns None when some work is an API page (``results``): the block is then decoded
    into structs. The works the scanner cannot read are listed in ``odd``.
    """
    if T_WORK is None:
        _init_types()
    cdef AuthScan sc = AuthScan()
    cdef Py_ssize_t k, n = len(works)
    cdef Py_ssize_t s_au, s_corr, s_in, s_ct, s_inum, s_ins, s_ine, s_c
    cdef Py_buffer view
    cdef object w, raw
    cdef Py_ssize_t rc
    sc.odd = []
    for k in range(n):
        w = works[k]
        if type(w) is not T_WORKR:
            return None
        raw = _f(w, O_R_RESULTS)
        PyObject_GetBuffer(raw, &view, PyBUF_SIMPLE)
        rc = view.len == 4 and memcmp(view.buf, b"null", 4) == 0
        PyBuffer_Release(&view)
        if not rc:
            return None
        _bpush(&sc.w_au, sc.au_num.n)
        s_au, s_corr, s_in, s_ct = sc.au_num.n, sc.au_corr.n, sc.au_in.n, sc.au_ct.n
        s_inum, s_ins, s_ine, s_c = sc.in_num.n, sc.in_s.n, sc.in_e.n, sc.ct.n
        raw = _f(w, O_R_AUTHS)
        PyObject_GetBuffer(raw, &view, PyBUF_SIMPLE)
        try:
            rc = _authorships(sc, <const unsigned char*>view.buf, view.len)
        finally:
            PyBuffer_Release(&view)
        if rc < 0:
            sc.au_num.n, sc.au_corr.n, sc.au_in.n, sc.au_ct.n = s_au, s_corr, s_in, s_ct
            sc.in_num.n, sc.in_s.n, sc.in_e.n, sc.ct.n = s_inum, s_ins, s_ine, s_c
            sc.odd.append(k)
    _bpush(&sc.w_au, sc.au_num.n)
    _bpush(&sc.au_in, sc.in_num.n)
    _bpush(&sc.au_ct, sc.ct.n)
    return sc


cdef object _rows_typed(long long anum, double wa, Py_ssize_t nu, long long* u_num,
                        PyObject** u_cc, PyObject** u_ty, Py_ssize_t ncs, PyObject** cs,
                        dict cidx, state, array.array row_actor, array.array row_loc,
                        array.array row_w, bint* no_country):
    """Rows of an authorship with at most _MAXU institutions (their entries' number,
    country and type in ``u_*``) and countries ``cs`` (normalised codes; none: those of
    the institutions). Returns the organisation type of the first institution;
    ``no_country[0]`` is set when the authorship has no country at all."""
    cdef PyObject* c_list[16]
    cdef PyObject* cp
    cdef Py_ssize_t nc = 0, j, m, x, nunc, unc, cnt
    cdef long long ci
    cdef double wc, wu
    cdef object c
    for j in range(ncs if ncs else nu):
        if ncs:
            cp = cs[j]
        else:
            cp = u_cc[j]
            if not <object>cp:   # None or ""
                continue
        for m in range(nc):
            if _eq(c_list[m], cp):
                break
        else:
            c_list[nc] = cp
            nc += 1
    otype = <object>u_ty[0] if nu else None
    if nc == 0:
        no_country[0] = True
        return otype
    for j in range(nu):
        if <object>u_cc[j] is None:
            # a unit without country takes the only country no other unit covers
            nunc = 0
            unc = 0
            for m in range(nc):
                for x in range(nu):
                    if _eq(u_cc[x], c_list[m]):
                        break
                else:
                    nunc += 1
                    unc = m
            if nunc == 1:
                for x in range(nu):
                    if <object>u_cc[x] is None:
                        u_cc[x] = c_list[unc]
            break
    wc = wa / nc
    for m in range(nc):
        c = <object>c_list[m]
        ci = cidx.get(c, -1)
        if ci < 0:
            ci = state.country(c)
        cnt = 0
        for j in range(nu):
            if _eq(u_cc[j], c_list[m]):
                cnt += 1
        if cnt == 0:
            _push_q(row_actor, anum)
            _push_q(row_loc, ci)
            _push_d(row_w, wc)
        else:
            wu = wc / cnt
            for j in range(nu):
                if _eq(u_cc[j], c_list[m]):
                    _push_q(row_actor, anum)
                    _push_q(row_loc, _loc(u_num[j], ci))
                    _push_d(row_w, wu)
    return otype


cdef class InstCache:
    """Institution number → entry ``(number, country, type, country index)`` of the
    canonical id ``https://openalex.org/I<number>``: an open-addressing hash table in C,
    the entries' number, country and type in C arrays (no Python object per look-up)."""
    cdef long long* keys
    cdef Py_ssize_t* slot
    cdef Py_ssize_t cap, n
    cdef long long* e_num
    cdef PyObject** e_cc
    cdef PyObject** e_ty
    cdef Py_ssize_t ecap
    cdef public list entries   # holds the entries (and so the strs pointed to)

    def __cinit__(self):
        self.entries = []
        self.cap = 0
        self.n = 0
        self.ecap = 0
        self._grow(1024)

    def __dealloc__(self):
        free(self.keys)
        free(self.slot)
        free(self.e_num)
        free(self.e_cc)
        free(self.e_ty)

    def __len__(self):
        return self.n

    cdef int _grow(self, Py_ssize_t cap) except -1:
        cdef long long* old_k = self.keys
        cdef Py_ssize_t* old_s = self.slot
        cdef Py_ssize_t old_cap = self.cap, i
        self.keys = <long long*>realloc(NULL, cap * sizeof(long long))
        self.slot = <Py_ssize_t*>realloc(NULL, cap * sizeof(Py_ssize_t))
        if self.keys == NULL or self.slot == NULL:
            raise MemoryError()
        for i in range(cap):
            self.keys[i] = -1
        self.cap = cap
        for i in range(old_cap):
            if old_k[i] >= 0:
                self._place(old_k[i], old_s[i])
        free(old_k)
        free(old_s)
        return 0

    cdef inline Py_ssize_t _home(self, long long k):
        return <Py_ssize_t>((<unsigned long long>k * 0x9E3779B97F4A7C15ULL) >> 20) & \
            (self.cap - 1)

    cdef void _place(self, long long k, Py_ssize_t x):
        cdef Py_ssize_t h = self._home(k)
        while self.keys[h] >= 0:
            h = (h + 1) & (self.cap - 1)
        self.keys[h] = k
        self.slot[h] = x

    cdef inline Py_ssize_t find(self, long long k):
        """The entry index of number ``k`` (>= 0), or -1."""
        cdef Py_ssize_t h = self._home(k)
        while self.keys[h] >= 0:
            if self.keys[h] == k:
                return self.slot[h]
            h = (h + 1) & (self.cap - 1)
        return -1

    cdef Py_ssize_t put(self, long long k, tuple e) except -1:
        cdef Py_ssize_t x = len(self.entries)
        cdef Py_ssize_t cap
        if 2 * (self.n + 1) > self.cap:
            self._grow(2 * self.cap)
        if x == self.ecap:
            cap = 2 * self.ecap if self.ecap else 1024
            self.e_num = <long long*>realloc(self.e_num, cap * sizeof(long long))
            self.e_cc = <PyObject**>realloc(self.e_cc, cap * sizeof(PyObject*))
            self.e_ty = <PyObject**>realloc(self.e_ty, cap * sizeof(PyObject*))
            if self.e_num == NULL or self.e_cc == NULL or self.e_ty == NULL:
                raise MemoryError()
            self.ecap = cap
        self.e_num[x] = e[0]
        self.e_cc[x] = <PyObject*>e[1]
        self.e_ty[x] = <PyObject*>e[2]
        self.entries.append(e)
        self._place(k, x)
        self.n += 1
        return x


cdef Py_ssize_t _inst_miss(object w, Py_ssize_t q, AuthScan sc, long long inum, state,
                           dict icache, InstCache cache, inst_entry, tuple inst_args,
                           inst_decode) except -1:
    """The entry of an institution first met on the raw path: decoded as ``MInst``
    from its span, then cached by id string (as the struct path) and by number."""
    raw = _f(w, O_R_AUTHS)
    inst = inst_decode(memoryview(raw)[sc.in_s.p[q]:sc.in_e.p[q]])
    e = icache.get(inst.id)
    if e is None:
        e = inst_entry(state, inst, *inst_args, inum)
    return cache.put(inum, e)


def consume_works(list works, Py_ssize_t k0, state, dict arrays, dict lookups, tuple opts,
                  double unknown, AuthScan scan=None):
    """Read ``works[k0:]`` on the common path; stop at the first work that needs Python.

    Parameters
    ----------
    works : list
        Decoded works (msgspec structs, pages already flattened).
    k0 : int
        First work to read.
    state : object
        The reader's state (``country`` and ``channel`` methods for new codes).
    arrays : dict
        The typed arrays appended to: ``rec_num``, ``rec_year``, ``rec_chan``,
        ``rec_rows``, ``row_actor``, ``row_loc``, ``row_w``, ``lead_rows`` and the
        block's ``ref_nums``, ``ref_cnt``, ``ref_rec``, ``ref_w``.
    lookups : dict
        ``icache`` (institution id → entry), ``cidx`` (country code → index),
        ``merged_w``, ``merged_a``, ``inst_entry`` (a callable making a new entry),
        ``inst_args`` (its extra arguments), ``org_chan``, ``type_chan`` (lead
        organisation type → channel index, filled here).
    opts : tuple
        ``(max_authors or -1, lead mode 0/1/2 = corresponding/first/none, fixed
        channel or -1, want_citations, exclude set, first year, last year)``.
    unknown : float
        The block's unknown share so far.
    scan : AuthScan, optional
        The authorships of the block's ``MWorkRaw`` works (:func:`scan_authorships`);
        such works are read from it (``lookups`` then also holds ``inum_cache``, an
        :class:`InstCache`, and ``inst_decode``, bytes → ``MInst``).

    Returns
    -------
    tuple
        ``(next index, unknown, counts)``: the work to read in Python (``len(works)``
        when every work was read) and the counts ``[works read, no actor, no country
        (authorships), lead fell back to first, truncated, hyper-authored, no country
        (works)]`` of the works read here.
    """
    if T_WORK is None:
        _init_types()
    cdef array.array rec_num = arrays["rec_num"], rec_year = arrays["rec_year"]
    cdef array.array rec_chan = arrays["rec_chan"], rec_rows = arrays["rec_rows"]
    cdef array.array row_actor = arrays["row_actor"], row_loc = arrays["row_loc"]
    cdef array.array row_w = arrays["row_w"], lead_rows = arrays["lead_rows"]
    cdef array.array ref_nums = arrays["ref_nums"], ref_cnt = arrays["ref_cnt"]
    cdef array.array ref_rec = arrays["ref_rec"], ref_w = arrays["ref_w"]
    cdef dict icache = lookups["icache"], cidx = lookups["cidx"]
    cdef dict mw = lookups["merged_w"], ma = lookups["merged_a"]
    cdef dict org_chan = lookups["org_chan"], type_chan = lookups["type_chan"]
    inst_entry = lookups["inst_entry"]
    inst_args = lookups["inst_args"]
    cdef InstCache inum_cache = lookups.get("inum_cache")
    inst_decode = lookups.get("inst_decode")
    cdef long long max_authors = opts[0]
    cdef int lead_mode = opts[1]
    cdef int fixed = opts[2]
    cdef bint want_cit = opts[3]
    exclude = opts[4]
    year_min, year_max = opts[5], opts[6]
    cdef bint has_ma = len(ma) > 0, has_mw = len(mw) > 0, has_ex = len(exclude) > 0
    cdef bint ex_para = "paratext" in exclude
    cdef Py_ssize_t n = len(works), k, r, row0, lead0, ref0, i, n_auth, start, end
    cdef Py_ssize_t first_a0, first_a1, a0, a1, x
    cdef long long wnum, anum, year, ci, nr
    cdef long long c_read = 0, c_no_actor = 0, c_no_country = 0, c_lead_first = 0
    cdef long long c_trunc = 0, c_hyper = 0, c_nocty = 0
    cdef long long l_no_actor, l_no_country, l_trunc
    cdef double wa, wc, wu, unk_saved
    cdef bint has_first, has_lead
    cdef array.array spans = array.array("q")
    cdef object iid
    cdef list auths, insts, ctrs
    cdef tuple et
    cdef object w, wid, yobj, refs, au, a, aid, inst, e, c, otype
    cdef object first_type, lead_type, chan, units, us, u, covered, uncovered
    cdef Py_ssize_t nrefs, ni, ncs, nu, nc, j, m, cnt, nunc, unc
    cdef bint typed
    cdef long long u_num[16]
    cdef PyObject* u_cc[16]
    cdef PyObject* u_ty[16]
    cdef PyObject* cs[16]
    cdef bint raw, l_nc
    cdef Py_ssize_t o_id, o_year, o_type, o_para, o_trunc, o_refs, jj, q, j0 = 0
    cdef long long inum
    cdef object tw

    for k in range(k0, n):
        w = works[k]
        r = len(rec_num)
        row0 = len(row_actor)
        lead0 = len(lead_rows)
        ref0 = len(ref_nums)
        unk_saved = unknown
        tw = type(w)
        if tw is T_WORK:
            raw = False
            o_id, o_year, o_type, o_para = O_W_ID, O_W_YEAR, O_W_TYPE, O_W_PARA
            o_trunc, o_refs = O_W_TRUNC, O_W_REFS
        elif tw is T_WORKR and scan is not None and inum_cache is not None:
            raw = True
            o_id, o_year, o_type, o_para = O_R_ID, O_R_YEAR, O_R_TYPE, O_R_PARA
            o_trunc, o_refs = O_R_TRUNC, O_R_REFS
        else:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        wid = _f(w, o_id)
        wnum = _id_number(wid, _PW)
        if wnum < 0:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        if has_mw and wnum in mw:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        if has_ex and (_f(w, o_type) in exclude or (_f(w, o_para) and ex_para)):
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        yobj = _f(w, o_year)
        if yobj is None:
            year = -1
        elif type(yobj) is int and year_min <= yobj <= year_max:
            year = yobj
        else:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        try:
            nrefs = 0
            if want_cit:
                refs = _f(w, o_refs)
                if type(refs) is not bytes and type(refs) is not list and len(refs) > 2:
                    nrefs = _refs(refs, ref_nums)
                    if nrefs < 0:
                        raise ValueError("referenced_works: not the common shape")
                elif type(refs) is list:
                    raise ValueError("referenced_works: a list (fallback decoder)")
            _push_q(rec_num, wnum)
            _push_i(rec_year, <int>year)
            if nrefs > 0:
                _push_q(ref_cnt, nrefs)
                _push_q(ref_rec, r)
                _push_q(ref_w, wnum)
            if raw:
                j0 = scan.w_au.p[k]
                n_auth = scan.w_au.p[k + 1] - j0
            else:
                auths = _f(w, O_W_AUTHS)   # a list or None (a TypeError otherwise)
                n_auth = 0 if auths is None else len(auths)
            l_trunc = 1 if _f(w, o_trunc) else 0
            if (max_authors >= 0 and n_auth > max_authors) or n_auth == 0:
                _push_b(rec_chan, 0)
                _push_i(rec_rows, 0)
                c_read += 1
                c_trunc += l_trunc
                if n_auth:
                    c_hyper += 1
                else:
                    c_nocty += 1
                continue
            wa = 1.0 / n_auth
            array.resize(spans, 0)
            has_first = False
            first_a0 = first_a1 = 0
            first_type = None
            lead_type = None
            l_no_actor = l_no_country = 0
            for i in range(n_auth if raw else 0):
                jj = j0 + i
                start = len(row_actor)
                anum = scan.au_num.p[jj]
                if anum < 0:
                    l_no_actor += 1
                    unknown += wa
                    continue
                if has_ma and anum in ma:
                    e = ma[anum]
                    if e is not None:
                        anum = e
                nu = 0
                for q in range(scan.au_in.p[jj], scan.au_in.p[jj + 1]):
                    inum = scan.in_num.p[q]
                    if inum < 0:
                        continue
                    x = inum_cache.find(inum)
                    if x < 0:
                        x = _inst_miss(w, q, scan, inum, state, icache, inum_cache,
                                       inst_entry, inst_args, inst_decode)
                    u_num[nu] = inum_cache.e_num[x]
                    u_cc[nu] = inum_cache.e_cc[x]
                    u_ty[nu] = inum_cache.e_ty[x]
                    nu += 1
                ncs = scan.au_ct.p[jj + 1] - scan.au_ct.p[jj]
                for m in range(ncs):
                    cs[m] = _CODE_STR[scan.ct.p[scan.au_ct.p[jj] + m]]
                l_nc = False
                otype = _rows_typed(anum, wa, nu, u_num, u_cc, u_ty, ncs, cs, cidx, state,
                                    row_actor, row_loc, row_w, &l_nc)
                if l_nc:
                    l_no_country += 1
                    unknown += wa
                end = len(row_actor)
                if i == 0:
                    has_first = True
                    first_a0, first_a1 = start, end
                    first_type = otype
                if lead_mode == 0 and scan.au_corr.p[jj]:
                    _push_q(spans, start)
                    _push_q(spans, end)
                    if lead_type is None:
                        lead_type = otype
            for i in range(0 if raw else n_auth):
                au = auths[i]
                if type(au) is not T_AUTHORSHIP:
                    raise TypeError("authorship: not the decoded struct")
                a = _f(au, O_AU_AUTHOR)
                if a is None:
                    aid = None
                elif type(a) is T_AUTHOR:
                    aid = _f(a, O_A_ID)
                else:
                    raise TypeError("author: not the decoded struct")
                start = len(row_actor)
                if aid is None:
                    l_no_actor += 1
                    unknown += wa
                    continue
                anum = _id_number(aid, _PA)
                if anum < 0:
                    raise ValueError("author id: not the common shape")
                if has_ma and anum in ma:
                    e = ma[anum]
                    if e is not None:
                        anum = e
                insts = _f(au, O_AU_INSTS)
                ctrs = _f(au, O_AU_CTRS)
                if insts and len(insts) == 1 and ctrs and len(ctrs) == 1:
                    inst = insts[0]
                    if type(inst) is not T_INST:
                        raise TypeError("institution: not the decoded struct")
                    iid = _f(inst, O_I_ID)
                    if iid is not None:
                        e = icache.get(iid)
                        if e is None:
                            e = inst_entry(state, inst, *inst_args)
                        et = e
                    else:
                        et = None
                    c = ctrs[0]
                    ci = cidx.get(c, -1)
                    if ci < 0:
                        ci = state.country(c)
                    _push_q(row_actor, anum)
                    if et is not None and (<long long>et[3] == ci or et[1] is None):
                        _push_q(row_loc, _loc(<long long>et[0], ci))
                        otype = et[2]
                    else:
                        _push_q(row_loc, ci)
                        otype = et[2] if et is not None else None
                    _push_d(row_w, wa)
                else:
                    # several institutions or countries: with normalised codes (two
                    # capitals, as strip().upper() leaves them) in C arrays, else below
                    ni = 0 if insts is None else len(insts)
                    ncs = 0 if ctrs is None else len(ctrs)
                    typed = ni <= _MAXU and ncs <= _MAXU
                    if typed:
                        for j in range(ncs):
                            if not _is_code(ctrs[j]):
                                typed = False
                                break
                    if typed:
                        nu = 0
                        for j in range(ni):
                            inst = insts[j]
                            if type(inst) is not T_INST:
                                raise TypeError("institution: not the decoded struct")
                            iid = _f(inst, O_I_ID)
                            if iid is None:
                                continue
                            e = icache.get(iid)
                            if e is None:
                                e = inst_entry(state, inst, *inst_args)
                            et = e
                            u_num[nu] = et[0]
                            u_cc[nu] = <PyObject*>et[1]
                            u_ty[nu] = <PyObject*>et[2]
                            nu += 1
                        for j in range(ncs):
                            cs[j] = <PyObject*>ctrs[j]
                        l_nc = False
                        otype = _rows_typed(anum, wa, nu, u_num, u_cc, u_ty, ncs, cs, cidx,
                                            state, row_actor, row_loc, row_w, &l_nc)
                        if l_nc:
                            l_no_country += 1
                            unknown += wa
                    else:
                        otype = _rows_any(insts, ctrs, anum, wa, state, icache, cidx,
                                          inst_entry, inst_args, row_actor, row_loc, row_w)
                        if type(otype) is tuple:   # no country at all
                            otype = otype[0]
                            l_no_country += 1
                            unknown += wa
                end = len(row_actor)
                if i == 0:
                    has_first = True
                    first_a0, first_a1 = start, end
                    first_type = otype
                if lead_mode == 0 and _f(au, O_AU_CORR):
                    _push_q(spans, start)
                    _push_q(spans, end)
                    if lead_type is None:
                        lead_type = otype
        except Exception:
            # undo this work; the Python loop reads it again (and reports its error)
            array.resize(rec_num, r)
            array.resize(rec_year, r)
            array.resize(rec_chan, r)
            array.resize(rec_rows, r)
            array.resize(row_actor, row0)
            array.resize(row_loc, row0)
            array.resize(row_w, row0)
            array.resize(lead_rows, lead0)
            array.resize(ref_nums, ref0)
            while len(ref_rec) and ref_rec.data.as_longlongs[len(ref_rec) - 1] >= r:
                array.resize(ref_rec, len(ref_rec) - 1)
                array.resize(ref_cnt, len(ref_cnt) - 1)
                array.resize(ref_w, len(ref_w) - 1)
            unknown = unk_saved
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        # the work is read: its counts, lead rows, channel and row count
        c_read += 1
        c_trunc += l_trunc
        c_no_actor += l_no_actor
        c_no_country += l_no_country
        nr = len(row_actor) - row0
        if lead_mode == 0:
            has_lead = len(spans) > 0
            if not has_lead:
                c_lead_first += 1
                array.resize(spans, 0)
                if has_first:
                    _push_q(spans, first_a0)
                    _push_q(spans, first_a1)
                lead_type = first_type
        elif lead_mode == 1:
            array.resize(spans, 0)
            if has_first:
                _push_q(spans, first_a0)
                _push_q(spans, first_a1)
            lead_type = first_type
        else:
            array.resize(spans, 0)
            lead_type = first_type
        for x in range(0, len(spans), 2):
            a0 = spans.data.as_longlongs[x]
            a1 = spans.data.as_longlongs[x + 1]
            while a0 < a1:
                _push_q(lead_rows, a0)
                a0 += 1
        if fixed >= 0:
            _push_b(rec_chan, fixed)
        else:
            chan = type_chan.get(lead_type)
            if chan is None:
                chan = type_chan[lead_type] = state.channel(
                    org_chan.get(lead_type, "academic") if lead_type else "academic")
            _push_b(rec_chan, chan)
        _push_i(rec_rows, <int>nr)
        if not nr:
            c_nocty += 1
    return n, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc, c_hyper,
                        c_nocty]


cdef extern from "Python.h":
    object PyUnicode_DecodeASCII(const char* s, Py_ssize_t size, const char* errors)


@cython.cdivision(True)
def number_labels(str prefix, const long long[::1] nums):
    """``[prefix + str(n) for n in nums]`` for non-negative ``nums`` and an ASCII
    prefix of at most 32 characters, without a Python int per number."""
    cdef bytes pb = prefix.encode("ascii")
    cdef Py_ssize_t npre = len(pb), i, k, j, n = nums.shape[0]
    cdef char buf[64]
    cdef char tmp[24]
    cdef unsigned long long v
    cdef list out = []
    if npre > 32:
        raise ValueError("prefix longer than 32 characters")
    memcpy(buf, <const char*>pb, npre)
    for i in range(n):
        if nums[i] < 0:
            raise ValueError("negative number")
        v = <unsigned long long>nums[i]
        k = 0
        while True:
            tmp[k] = <char>(48 + v % 10)
            v = v // 10
            k += 1
            if v == 0:
                break
        for j in range(k):
            buf[npre + j] = tmp[k - 1 - j]
        out.append(PyUnicode_DecodeASCII(buf, npre + k, NULL))
    return out


def first_seen_codes(const long long[::1] values):
    """``(distinct, codes)``: the distinct values in order of first appearance (int64)
    and every value's index among them (int32), through an open-addressing hash table.

    For arrays with few distinct values (locations of rows) this is several times faster
    than a sort; :func:`~ecosystem.readers.openalex._unique_inverse` sorts the (few)
    distinct values afterwards.
    """
    cdef Py_ssize_t n = values.shape[0], cap = 1024, i, h, nd = 0, x
    cdef long long v
    cdef long long* keys
    cdef int* slot
    cdef array.array distinct = array.array("q")
    cdef array.array codes = array.array("i")
    array.resize(codes, n)
    while cap < 2 * n and cap < (1 << 16):
        cap *= 2
    keys = <long long*>realloc(NULL, cap * sizeof(long long))
    slot = <int*>realloc(NULL, cap * sizeof(int))
    if keys == NULL or slot == NULL:
        free(keys)
        free(slot)
        raise MemoryError()
    try:
        for h in range(cap):
            slot[h] = -1
        for i in range(n):
            v = values[i]
            h = <Py_ssize_t>((<unsigned long long>v * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1)
            while slot[h] >= 0 and keys[h] != v:
                h = (h + 1) & (cap - 1)
            if slot[h] < 0:
                if 2 * (nd + 1) > cap:   # grow: re-insert the distinct values
                    free(keys)
                    free(slot)
                    keys = NULL
                    slot = NULL
                    cap *= 2
                    keys = <long long*>realloc(NULL, cap * sizeof(long long))
                    slot = <int*>realloc(NULL, cap * sizeof(int))
                    if keys == NULL or slot == NULL:
                        raise MemoryError()
                    for h in range(cap):
                        slot[h] = -1
                    for x in range(nd):
                        v = distinct.data.as_longlongs[x]
                        h = <Py_ssize_t>((<unsigned long long>v * 0x9E3779B97F4A7C15ULL)
                                         >> 17) & (cap - 1)
                        while slot[h] >= 0:
                            h = (h + 1) & (cap - 1)
                        keys[h] = v
                        slot[h] = <int>x
                    v = values[i]
                    h = <Py_ssize_t>((<unsigned long long>v * 0x9E3779B97F4A7C15ULL)
                                     >> 17) & (cap - 1)
                    while slot[h] >= 0:
                        h = (h + 1) & (cap - 1)
                if nd >= 2147483647:
                    raise OverflowError("more than 2**31 - 1 distinct values")
                keys[h] = v
                slot[h] = <int>nd
                _push_q(distinct, v)
                nd += 1
            codes.data.as_ints[i] = slot[h]
    finally:
        free(keys)
        free(slot)
    return distinct, codes


def count_newlines(const unsigned char[::1] data):
    """Number of ``\\n`` bytes in ``data`` (memchr from line to line)."""
    cdef Py_ssize_t n = data.shape[0], i = 0, count = 0
    cdef const unsigned char* base
    cdef const unsigned char* p
    if n == 0:
        return 0
    base = &data[0]
    with nogil:
        while i < n:
            p = <const unsigned char*>memchr(base + i, 10, n - i)
            if p == NULL:
                break
            count += 1
            i = (p - base) + 1
    return count
