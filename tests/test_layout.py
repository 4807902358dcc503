"""The package's layout rules (issue 11): no import circle between its modules, no
private name imported across modules, readers below flows."""

import ast
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "ecosystem"


def _modules():
    mods = {}
    for path in SRC.rglob("*.py"):
        name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


def _imports(mods):
    """(importing module, imported module, imported names) for every relative import."""
    for name, path in mods.items():
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                parts = base[: len(base) - (node.level - 1)] + ([node.module] if node.module else [])
                yield name, ".".join(parts), [a.name for a in node.names]


def _is_module(package, name):
    """Whether ``package.name`` is a module (Python or compiled from a .pyx), not a name."""
    folder = SRC.parent.joinpath(*package.split("."))
    return any((folder / f"{name}{ext}").exists() for ext in (".py", ".pyx", "/__init__.py"))


def _unit(name):
    """A module directly under ecosystem, or a subpackage as a whole."""
    return ".".join(name.split(".")[:2])


def _graph():
    mods = _modules()
    graph = {}
    for src, target, names in _imports(mods):
        for dst in [target] + [f"{target}.{n}" for n in names]:
            if dst in mods and dst != src:
                a, b = _unit(src), _unit(dst)
                if a != b and "ecosystem" not in (a, b):
                    graph.setdefault(a, set()).add(b)
    return graph


def _cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_cycle_finder_finds_a_planted_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_readers_sit_below_flows():
    graph = _graph()
    assert "ecosystem.flows" in graph.get("ecosystem.readers", set())
    for low in ("ecosystem.flows", "ecosystem.contributions", "ecosystem.regions",
                "ecosystem.classification", "ecosystem.metrics"):
        assert "ecosystem.readers" not in graph.get(low, set()), low


def test_no_private_name_crosses_modules():
    crossing = [f"{src} imports {name} from {target}"
                for src, target, names in _imports(_modules()) for name in names
                if name.startswith("_") and not name.startswith("__")
                and not _is_module(target, name) and _unit(src) != _unit(target)]
    assert crossing == []
