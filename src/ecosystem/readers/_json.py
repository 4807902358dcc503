"""Typed, partial decoding of OpenAlex JSON: msgspec Structs, or a checked fallback.

Only the fields the readers use are decoded; msgspec skips the rest of every object
without building it. Without msgspec, orjson (else the standard ``json``) decodes whole
objects and :func:`_work_from_dict` checks and converts the same fields into the same
attribute layout, so the reader code is shared. Both raise :class:`FieldError` naming
the JSON path of a field of the wrong type.
"""

from __future__ import annotations

import re

__all__ = ["HAVE_MSGSPEC", "FieldError", "decoders", "work_from_raw"]

try:  # pragma: no cover - exercised by the fallback tests through monkeypatching
    import msgspec

    HAVE_MSGSPEC = True
except ImportError:  # pragma: no cover
    msgspec = None
    HAVE_MSGSPEC = False

try:
    import orjson

    _loads = orjson.loads
    _JSONError = orjson.JSONDecodeError
except ImportError:  # pragma: no cover
    import json

    _loads = json.loads
    _JSONError = json.JSONDecodeError


class FieldError(ValueError):
    """A decoded record whose field has the wrong type; ``field`` is its JSON path."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


_PATH = re.compile(r" - at `\$(.*)`$")


if HAVE_MSGSPEC:
    from msgspec import Struct

    class MInst(Struct, gc=False):
        id: str | None = None
        country_code: str | None = None
        type: str | None = None
        lineage: list[str] | None = None

    class MAuthor(Struct, gc=False):
        id: str | None = None

    class MAuthorship(Struct, gc=False):
        author: MAuthor | None = None
        institutions: list[MInst] | None = None
        countries: list[str] | None = None
        is_corresponding: bool | None = None

    class MWork(Struct, gc=False):
        id: str | None = None
        publication_year: int | None = None
        type: str | None = None
        is_paratext: bool | None = None
        authorships: list[MAuthorship] | None = None
        is_authors_truncated: bool | None = None
        # kept raw: the ids are parsed in bulk by the reader (no str object per link)
        referenced_works: msgspec.Raw = msgspec.Raw(b"[]")
        results: list[MWork] | None = None

    class MWorkRaw(Struct, gc=False):
        """A work with ``authorships`` kept raw: the compiled reader scans its bytes
        (``_openalex_fast.scan_authorships``); a work it cannot read there is decoded
        again as :class:`MWork`, the reference."""
        id: str | None = None
        publication_year: int | None = None
        type: str | None = None
        is_paratext: bool | None = None
        authorships: msgspec.Raw = msgspec.Raw(b"null")
        is_authors_truncated: bool | None = None
        referenced_works: msgspec.Raw = msgspec.Raw(b"[]")
        results: msgspec.Raw = msgspec.Raw(b"null")

    class MGeo(Struct, gc=False):
        city: str | None = None
        region: str | None = None
        country_code: str | None = None
        geonames_city_id: str | int | None = None
        latitude: float | None = None
        longitude: float | None = None

    class MInstitution(Struct, gc=False):
        id: str | None = None
        country_code: str | None = None
        type: str | None = None
        lineage: list[str] | None = None
        geo: MGeo | None = None
        results: list[MInstitution] | None = None

    class MAffiliation(Struct, gc=False):
        institution: MInst | None = None
        years: list[int] | None = None

    class MAuthorEntity(Struct, gc=False):
        id: str | None = None
        affiliations: list[MAffiliation] | None = None
        results: list[MAuthorEntity] | None = None


# ----------------------------------------------------------------- fallback objects


class _Obj:
    __slots__ = ()

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class FInst(_Obj):
    __slots__ = ("id", "country_code", "type", "lineage")


class FAuthor(_Obj):
    __slots__ = ("id",)


class FAuthorship(_Obj):
    __slots__ = ("author", "institutions", "countries", "is_corresponding")


class FWork(_Obj):
    __slots__ = ("id", "publication_year", "type", "is_paratext", "authorships",
                 "is_authors_truncated", "referenced_works", "results")


class FGeo(_Obj):
    __slots__ = ("city", "region", "country_code", "geonames_city_id", "latitude", "longitude")


class FInstitution(_Obj):
    __slots__ = ("id", "country_code", "type", "lineage", "geo", "results")


class FAffiliation(_Obj):
    __slots__ = ("institution", "years")


class FAuthorEntity(_Obj):
    __slots__ = ("id", "affiliations", "results")


def _check(value, kinds, path, what):
    if value is None or isinstance(value, kinds) and not (isinstance(value, bool)
                                                          and bool not in kinds):
        return value
    raise FieldError(f"Expected `{what} | null`, got `{type(value).__name__}`", path)


def _str(d, key, path):
    return _check(d.get(key), (str,), f"{path}.{key}", "str")


def _list(d, key, path):
    return _check(d.get(key), (list,), f"{path}.{key}", "array")


def _obj(value, path):
    if value is None or isinstance(value, dict):
        return value
    raise FieldError(f"Expected `object | null`, got `{type(value).__name__}`", path)


def _strs(values, path):
    if values is None:
        return None
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise FieldError(f"Expected `str`, got `{type(v).__name__}`", f"{path}[{i}]")
    return values


def _inst(d, path):
    d = _obj(d, path)
    if d is None:
        return None
    return FInst(id=_str(d, "id", path), country_code=_str(d, "country_code", path),
                 type=_str(d, "type", path),
                 lineage=_strs(_list(d, "lineage", path), f"{path}.lineage"))


def _work_from_dict(d, path="$"):
    d = _obj(d, path)
    if d is None:
        raise FieldError("Expected `object`, got `null`", path)
    year = d.get("publication_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise FieldError(f"Expected `int | null`, got `{type(year).__name__}`",
                         f"{path}.publication_year")
    auths = []
    for i, a in enumerate(_list(d, "authorships", path) or ()):
        p = f"{path}.authorships[{i}]"
        a = _obj(a, p)
        if a is None:
            raise FieldError("Expected `object`, got `null`", p)
        author = _obj(a.get("author"), f"{p}.author")
        corr = a.get("is_corresponding")
        if corr is not None and not isinstance(corr, bool):
            raise FieldError(f"Expected `bool | null`, got `{type(corr).__name__}`",
                             f"{p}.is_corresponding")
        insts = [_inst(x, f"{p}.institutions[{j}]")
                 for j, x in enumerate(_list(a, "institutions", p) or ())]
        auths.append(FAuthorship(
            author=None if author is None else FAuthor(id=_str(author, "id", f"{p}.author")),
            institutions=insts, countries=_strs(_list(a, "countries", p), f"{p}.countries"),
            is_corresponding=corr))
    results = d.get("results")
    if results is not None:
        results = [_work_from_dict(x, f"{path}.results[{i}]")
                   for i, x in enumerate(_list(d, "results", path))]
    trunc = d.get("is_authors_truncated")
    para = d.get("is_paratext")
    return FWork(id=_str(d, "id", path), publication_year=year, type=_str(d, "type", path),
                 is_paratext=para if isinstance(para, bool) else None, authorships=auths,
                 is_authors_truncated=trunc if isinstance(trunc, bool) else None,
                 referenced_works=_strs(_list(d, "referenced_works", path),
                                        f"{path}.referenced_works"),
                 results=results)


def _institution_from_dict(d, path="$"):
    d = _obj(d, path)
    if d is None:
        raise FieldError("Expected `object`, got `null`", path)
    geo = _obj(d.get("geo"), f"{path}.geo")
    results = d.get("results")
    if results is not None:
        results = [_institution_from_dict(x, f"{path}.results[{i}]")
                   for i, x in enumerate(_list(d, "results", path))]
    return FInstitution(
        id=_str(d, "id", path), country_code=_str(d, "country_code", path),
        type=_str(d, "type", path), lineage=_strs(_list(d, "lineage", path), f"{path}.lineage"),
        geo=None if geo is None else FGeo(
            city=_str(geo, "city", f"{path}.geo"), region=_str(geo, "region", f"{path}.geo"),
            country_code=_str(geo, "country_code", f"{path}.geo"),
            geonames_city_id=_check(geo.get("geonames_city_id"), (str, int),
                                    f"{path}.geo.geonames_city_id", "str | int"),
            latitude=_check(geo.get("latitude"), (float, int), f"{path}.geo.latitude", "float"),
            longitude=_check(geo.get("longitude"), (float, int), f"{path}.geo.longitude",
                             "float")),
        results=results)


def _author_from_dict(d, path="$"):
    d = _obj(d, path)
    if d is None:
        raise FieldError("Expected `object`, got `null`", path)
    affs = []
    for i, a in enumerate(_list(d, "affiliations", path) or ()):
        p = f"{path}.affiliations[{i}]"
        a = _obj(a, p) or {}
        years = _list(a, "years", p)
        for j, y in enumerate(years or ()):
            if isinstance(y, bool) or not isinstance(y, int):
                raise FieldError(f"Expected `int`, got `{type(y).__name__}`", f"{p}.years[{j}]")
        affs.append(FAffiliation(institution=_inst(a.get("institution"), f"{p}.institution"),
                                 years=years))
    results = d.get("results")
    if results is not None:
        results = [_author_from_dict(x, f"{path}.results[{i}]")
                   for i, x in enumerate(_list(d, "results", path))]
    return FAuthorEntity(id=_str(d, "id", path), affiliations=affs, results=results)


_AUTHS_DECODER = None


def work_from_raw(w):
    """The :class:`MWork` of an :class:`MWorkRaw`: its authorships decoded as the struct
    decoder does, a :class:`FieldError` with the same message and JSON path as the
    decoding of the whole work (the raw decoder checked every other field)."""
    global _AUTHS_DECODER
    if _AUTHS_DECODER is None:
        _AUTHS_DECODER = msgspec.json.Decoder(list[MAuthorship] | None)
    try:
        auths = _AUTHS_DECODER.decode(w.authorships)
    except msgspec.ValidationError as exc:
        text = str(exc)
        m = _PATH.search(text)
        if m:
            raise FieldError(text[:m.start()], "$.authorships" + m.group(1)) from None
        raise FieldError(text, "$.authorships") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # pragma: no cover - checked
        raise FieldError(f"malformed JSON: {exc}") from None
    return MWork(id=w.id, publication_year=w.publication_year, type=w.type,
                 is_paratext=w.is_paratext, authorships=auths,
                 is_authors_truncated=w.is_authors_truncated,
                 referenced_works=w.referenced_works)


class _Decoder:
    """decode(bytes) -> object and decode_lines(bytes) -> list, raising FieldError."""

    def __init__(self, kind, use_msgspec):
        self.kind = kind
        if use_msgspec:
            typ = {"work": MWork, "work_raw": MWorkRaw, "institution": MInstitution,
                   "author": MAuthorEntity, "inst": MInst}[kind]
            self._dec = msgspec.json.Decoder(typ)
            self._list_dec = msgspec.json.Decoder(list[typ])
            self._m = True
        else:
            self._conv = {"work": _work_from_dict, "institution": _institution_from_dict,
                          "author": _author_from_dict}[kind]
            self._m = False

    def _fail(self, exc):
        text = str(exc)
        m = _PATH.search(text)
        if m:
            return FieldError(text[:m.start()], "$" + m.group(1))
        return FieldError(f"malformed JSON: {text}")

    def decode(self, data):
        if self._m:
            try:
                return self._dec.decode(data)
            except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
                raise self._fail(exc) from None
        try:
            obj = _loads(data)
        except (_JSONError, ValueError, UnicodeDecodeError) as exc:
            raise FieldError(f"malformed JSON: {exc}") from None
        return self._conv(obj)

    def decode_list(self, data):
        """A whole-file JSON document: a list of entities."""
        if self._m:
            try:
                return self._list_dec.decode(data)
            except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
                raise self._fail(exc) from None
        try:
            obj = _loads(data)
        except (_JSONError, ValueError, UnicodeDecodeError) as exc:
            raise FieldError(f"malformed JSON: {exc}") from None
        if not isinstance(obj, list):
            raise FieldError("Expected `array`", "$")
        return [self._conv(x, f"$[{i}]") for i, x in enumerate(obj)]

    def decode_lines(self, data):
        """Decode many lines at once (fast path); raises on the first bad line."""
        if self._m:
            try:
                return self._dec.decode_lines(data)
            except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
                raise self._fail(exc) from None
        return [self.decode(line) for line in data.splitlines() if line.strip()]


def decoders(kind, use_msgspec=None):
    """A decoder for ``kind`` in {"work", "institution", "author"}.

    Also "work_raw" (:class:`MWorkRaw`, authorships undecoded) and "inst" (a dehydrated
    institution, :class:`MInst`); both only with msgspec (None without it).
    """
    if kind in ("work_raw", "inst") and not (HAVE_MSGSPEC and use_msgspec is not False):
        return None
    if use_msgspec is None:
        use_msgspec = HAVE_MSGSPEC
    if use_msgspec and not HAVE_MSGSPEC:  # pragma: no cover
        use_msgspec = False
    return _Decoder(kind, use_msgspec)
