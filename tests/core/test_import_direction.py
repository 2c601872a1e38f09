"""The apps of ``src/opora`` import downwards only, so the app graph stays acyclic:

    errors, env (the modules at ``src/opora/*.py``) < audit, core < accounts < registry
    < navigator, enrollment < financing, events < quality < practices < monitoring < surveys
    < plans, hotline, mailing < training < portal < api < office, demo
    < the assembly (urls, settings, wsgi, cli)

An app's ``api.py`` (its router of the REST API, with any ``<area>_api.py`` it adds to
that router) belongs to the api layer that assembles it. Apps of one level do not import
each other, and the navigator is read only by the API, the assembly, the portal (its
block of the catalog's programs and its search's stems) and the practices (the search's
stems and the МОЦ's dictionary): the others announce their
changes through hooks they subscribe to.
Imports inside functions count as much as those at the top of a module.
"""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src"

LEVELS = [
    {"errors", "env"},
    {"audit", "core"},
    {"accounts"},
    {"registry"},
    {"navigator", "enrollment"},
    {"financing", "events"},
    {"quality"},
    {"practices"},
    {"monitoring"},
    {"surveys"},
    {"plans", "hotline", "mailing"},
    {"training"},
    {"portal"},
    {"api"},
    {"office", "demo"},
    {"assembly"},
]
RANK = {layer: rank for rank, layers in enumerate(LEVELS) for layer in layers}
ASSEMBLY = {"urls", "settings", "wsgi", "cli", "__init__", "__main__"}
# Layers only the ones listed may import.
READ_ONLY_BY = {"navigator": {"api", "assembly", "portal", "practices"}}


def layer_of(module: str) -> str:
    """``opora.registry.views.office`` -> ``registry``; ``opora.enrollment.api`` -> ``api``."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ASSEMBLY and len(parts) == 2:
        return "assembly"
    if len(parts) >= 3 and (parts[2] == "api" or parts[2].endswith("_api")):
        return "api"
    name = parts[1]
    return name if name in RANK else "errors"  # another shared helper at src/opora/*.py


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool):
    """(line, module) of every import of an ``opora`` module in the source, wherever it is."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "opora":  # from opora import audit
                for alias in node.names:
                    yield node.lineno, f"opora.{alias.name}"
            else:
                yield node.lineno, base


def arrows_against_direction(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """``modules`` maps a module name to (its source, whether it is a package's __init__);
    returns «file:line: from -> to» for every import against the declared direction."""
    wrong = []
    for module, (source, is_package) in sorted(modules.items()):
        source_layer = layer_of(module)
        for line, target in imported_modules(source, module, is_package):
            if not target.startswith("opora."):
                continue
            target_layer = layer_of(target)
            if target_layer == source_layer:
                continue
            allowed = RANK[source_layer] > RANK[target_layer] and source_layer in READ_ONLY_BY.get(
                target_layer, {source_layer})
            if not allowed:
                wrong.append(f"{module}:{line}: {source_layer} -> {target_layer} ({target})")
    return wrong


def tree() -> dict[str, tuple[str, bool]]:
    return {module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in (SOURCE / "opora").rglob("*.py") if "migrations" not in path.parts}


def test_the_apps_import_only_downwards():
    modules = tree()
    assert len(modules) > 100  # the walk found the source

    assert arrows_against_direction(modules) == []


def test_an_import_against_the_direction_is_reported_with_its_place():
    modules = {
        "opora.registry.services": ("from opora.accounts import scope\n"
                                    "def hook():\n"
                                    "    from opora.enrollment import locking\n", False),
        "opora.core.nav": ("import opora.accounts.scope\n", False),
        "opora.enrollment.seats": ("from opora.navigator import index\n", False),
        "opora.navigator.index": ("from opora.enrollment.models import Application\n", False),
        "opora.financing.views": ("from opora import office\n", True),
        "opora.accounts.views": ("from ..registry.forms import attach_errors\n", False),
        "opora.api.api": ("from opora.navigator import api\nfrom opora.registry import selectors\n", False),
        "opora.registry.api": ("from opora.api.schemas import page_of\nfrom opora.registry import models\n", False),
        "opora.urls": ("from opora.demo import reset\n", False),
    }

    assert arrows_against_direction(modules) == [
        "opora.accounts.views:1: accounts -> registry (opora.registry.forms)",
        "opora.core.nav:1: core -> accounts (opora.accounts.scope)",
        "opora.enrollment.seats:1: enrollment -> navigator (opora.navigator)",
        "opora.financing.views:1: financing -> office (opora.office)",
        "opora.navigator.index:1: navigator -> enrollment (opora.enrollment.models)",
        "opora.registry.services:3: registry -> enrollment (opora.enrollment)",
    ]


def test_layers_of_modules():
    assert [layer_of(m) for m in ("opora.errors", "opora.env", "opora.urls", "opora.settings",
                                  "opora.registry.views.office", "opora.enrollment.api",
                                  "opora.api.schemas", "opora.office.nav")] == [
        "errors", "env", "assembly", "assembly", "registry", "api", "api", "office"]
