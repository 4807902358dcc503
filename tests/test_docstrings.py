"""numpydoc validation of every public docstring (scikit-learn's test_docstrings pattern).

Every object reachable from ``ecosystem.__all__`` is validated with
``numpydoc.validate.validate``: public functions, classes, and the public methods and
properties each class defines itself (members of exported modules such as
``ecosystem.datasets`` included). New public names are picked up automatically.

One short list says what is not enforced, each entry with its reason: ``IGNORED``, error
codes ignored everywhere, or for one kind of object.

Anything else that numpydoc reports fails the test with the object, the code and
numpydoc's message. Run with ``python -m pytest tests/test_docstrings.py -q``.
"""

import dataclasses
import functools
import inspect

import pytest

validate_module = pytest.importorskip("numpydoc.validate", reason="numpydoc is not installed")
docscrape = pytest.importorskip("numpydoc.docscrape")

import ecosystem  # noqa: E402

# --------------------------------------------------------------------------------------
# Codes ignored, with the reason
# --------------------------------------------------------------------------------------
#: Ignored for every object.
IGNORED = {
    "ES01": "an extended summary is optional: short methods and properties need none",
    "SA01": "a See Also section is encouraged, not required",
}
#: Ignored for methods, properties, classes and exceptions (but required for public
#: functions): a function's Examples are the runnable documentation of a result;
#: classes are built by their ``from_*`` methods or by public functions, whose examples
#: show them.
IGNORED_UNLESS_FUNCTION = {
    "EX01": "Examples are required for public functions only",
}
#: Ignored for record classes (dataclasses and NamedTuples): their fields are documented
#: under Attributes (checked by test_record_fields_documented below) and their generated
#: constructor is not the documented way to build them.
IGNORED_FOR_RECORDS = {
    "PR01": "record fields are documented as Attributes, not as Parameters",
}


# --------------------------------------------------------------------------------------
# The public API
# --------------------------------------------------------------------------------------


def _members(cls):
    """Public methods and properties that ``cls`` defines itself (not inherited)."""
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod, property, functools.cached_property)):
            yield name
        elif inspect.isfunction(value):
            yield name


def _is_record(cls):
    """A dataclass or a NamedTuple: a class whose fields are its constructor's parameters."""
    return dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))


def _fields(cls):
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    return list(cls._fields)


def public_objects():
    """(qualified name, object, kind) for every public object, kind in
    {"function", "class", "exception", "record", "method"}."""
    found = []

    def add(qualname, obj):
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                found.append((qualname, obj, "exception"))
                return
            kind = "record" if _is_record(obj) else "class"
            found.append((qualname, obj, kind))
            for member in _members(obj):
                found.append((f"{qualname}.{member}", getattr(obj, member), "method"))
        elif callable(obj):
            found.append((qualname, obj, "function"))

    for name in ecosystem.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(ecosystem, name)
        if inspect.ismodule(obj):
            for sub in getattr(obj, "__all__", []):
                add(f"{obj.__name__}.{sub}", getattr(obj, sub))
        else:
            add(f"ecosystem.{name}", obj)
    return found


PUBLIC = public_objects()


def _ignored(code, kind):
    if code in IGNORED:
        return True
    if code in IGNORED_UNLESS_FUNCTION and kind != "function":
        return True
    return code in IGNORED_FOR_RECORDS and kind == "record"


@pytest.mark.parametrize("qualname, obj, kind", PUBLIC, ids=[p[0] for p in PUBLIC])
def test_docstring(qualname, obj, kind):
    result = validate_module.validate(qualname)
    errors = [(code, msg) for code, msg in result["errors"] if not _ignored(code, kind)]
    if errors:
        report = "\n".join(f"  {code}: {msg}" for code, msg in errors)
        pytest.fail(f"numpydoc validation of {qualname} failed:\n{report}", pytrace=False)


RECORDS = [p for p in PUBLIC if p[2] == "record"]


@pytest.mark.parametrize("qualname, cls, kind", RECORDS, ids=[p[0] for p in RECORDS])
def test_record_fields_documented(qualname, cls, kind):
    """A public dataclass or NamedTuple documents every field in its Attributes section."""
    doc = docscrape.NumpyDocString(inspect.getdoc(cls) or "")
    documented = set()
    for param in doc["Attributes"]:
        documented.update(part.strip() for part in param.name.split(","))
    missing = [name for name in _fields(cls) if name not in documented]
    assert not missing, f"{qualname}: fields without an Attributes entry: {missing}"


def test_every_public_name_is_validated():
    """The walk above covers everything ecosystem exports."""
    covered = {p[0] for p in PUBLIC}
    for name in ecosystem.__all__:
        obj = getattr(ecosystem, name)
        if name.startswith("__") or inspect.ismodule(obj):
            continue
        assert f"ecosystem.{name}" in covered, name
