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
"""

from cpython cimport array
from cpython.object cimport Py_SIZE
from cpython.ref cimport PyObject
from libc.string cimport memcmp

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
cdef Py_ssize_t O_W_ID, O_W_YEAR, O_W_TYPE, O_W_PARA, O_W_AUTHS, O_W_TRUNC, O_W_REFS
cdef Py_ssize_t O_AU_AUTHOR, O_AU_INSTS, O_AU_CTRS, O_AU_CORR, O_A_ID, O_I_ID


cdef Py_ssize_t _offset(cls, name) except -1:
    d = cls.__dict__[name]
    if type(d).__name__ != "member_descriptor":
        raise TypeError(f"{cls.__name__}.{name} is not a slot")
    return (<PyMemberDescrObject*><PyObject*>d).d_member.offset


cdef int _init_types() except -1:
    global T_WORK, T_AUTHORSHIP, T_AUTHOR, T_INST
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
    T_WORK, T_AUTHORSHIP, T_AUTHOR, T_INST = W, AU, A, I
    return 0


cdef inline object _f(object o, Py_ssize_t off):
    """The field at slot offset ``off`` of a struct whose exact type was checked."""
    cdef PyObject* p = (<PyObject**>((<char*><PyObject*>o) + off))[0]
    if p == NULL:
        raise AttributeError("unset field")
    return <object>p


__all__ = ["consume_works"]

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


cdef int _MAXU = 16   # institutions and countries of one authorship on the C-array path


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
                _push_q(row_loc, <long long>u[0] * 1024 + ci)
                _push_d(row_w, wu)
    return otype


def consume_works(list works, Py_ssize_t k0, state, dict arrays, dict lookups, tuple opts,
                  double unknown):
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
    cdef PyObject* c_list[16]
    cdef PyObject* cp

    for k in range(k0, n):
        w = works[k]
        r = len(rec_num)
        row0 = len(row_actor)
        lead0 = len(lead_rows)
        ref0 = len(ref_nums)
        unk_saved = unknown
        if type(w) is not T_WORK:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        wid = _f(w, O_W_ID)
        wnum = _id_number(wid, _PW)
        if wnum < 0:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        if has_mw and wnum in mw:
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        if has_ex and (_f(w, O_W_TYPE) in exclude or (_f(w, O_W_PARA) and ex_para)):
            return k, unknown, [c_read, c_no_actor, c_no_country, c_lead_first, c_trunc,
                                c_hyper, c_nocty]
        yobj = _f(w, O_W_YEAR)
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
                refs = _f(w, O_W_REFS)
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
            auths = _f(w, O_W_AUTHS)   # a list or None (a TypeError otherwise)
            n_auth = 0 if auths is None else len(auths)
            l_trunc = 1 if _f(w, O_W_TRUNC) else 0
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
            for i in range(n_auth):
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
                        _push_q(row_loc, <long long>et[0] * 1024 + ci)
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
                        nc = 0
                        for j in range(ncs if ncs else nu):
                            if ncs:
                                cp = <PyObject*>ctrs[j]
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
                            l_no_country += 1
                            unknown += wa
                        else:
                            for j in range(nu):
                                if <object>u_cc[j] is None:
                                    # a unit without country takes the only country
                                    # no other unit covers
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
                                            _push_q(row_loc, u_num[j] * 1024 + ci)
                                            _push_d(row_w, wu)
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
