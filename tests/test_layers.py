"""The floors of the house: every module imports only from its own floor's app or below.

Read from the source with ``ast``, nothing is imported. What one app must tell another
above it goes through a Django signal (appointments/signals.py, accounts/signals.py,
rooms/signals.py) or a function on the lower floor; an import hidden inside a function is
allowed only where the list below says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "visavis"

# From the ground up. A module may import from its own app and from any lower floor; two
# apps on one floor do not import each other.
FLOORS: list[set[str]] = [
    {"config"},  # the operator's configuration, read before Django starts
    {"settings"},  # Django's settings, made from it
    {"transport"},  # channel layers and the consumers' loop: Channels, no room
    {"accounts"},  # counselors, tokens, the second factor
    {"appointments"},  # appointments, guest links, PINs, calendar, every link (links.py)
    {"consent"},  # the privacy notice and the client's confirmation of it
    {"entry"},  # the door for clients: link, time window, PIN, notice (entry/door.py)
    {"rooms"},  # the room: services, signalling consumer, TURN, limits
    {"setupcheck"},  # the client's setup test (uses the room's TURN and limits)
    {"web", "ops"},  # the pages; the operator's side (metrics, serve)
    {"urls", "asgi", "cli"},  # wiring the whole site together; the command line
    {"__main__"},  # python -m visavis
]
FLOOR_OF = {name: level for level, names in enumerate(FLOORS) for name in names}

# Imports inside a function, each with why it cannot stand at the top of its module.
ALLOWED_LATE = {
    ("rooms/apps.py", "visavis.rooms.receivers"): "AppConfig.ready(): models must be loaded",
    ("ops/apps.py", "visavis.ops.receivers"): "AppConfig.ready(): models must be loaded",
    ("consent/apps.py", "visavis.consent.checks"): "AppConfig.ready(): registers a check",
    ("ops/apps.py", "visavis.ops.checks"): "AppConfig.ready(): registers the checks",
    ("ops/management/commands/serve.py", "visavis.appointments.retention.DailyPurge"): (
        "management command: the purge thread starts only once the database is migrated"
    ),
    ("ops/management/commands/serve.py", "visavis.asgi.application"): (
        "management command: the ASGI application builds the site only when serving"
    ),
    ("ops/management/commands/serve.py", "visavis.consent.services.operator_warning"): (
        "management command: imported next to the application it warns about"
    ),
    ("ops/management/commands/serve.py", "visavis.ops.redact.DropConnectionLines"): (
        "management command: the log filter is set up only when serving"
    ),
}


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    )


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _app(module: str) -> str:
    """``visavis.rooms.services`` -> ``rooms``; ``visavis`` alone -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "visavis" else ""


def _imports(node: ast.AST):
    """(name, line) for every import from visavis: ``from a.b import c`` is ``a.b.c``."""
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            names = [f"{child.module}.{alias.name}" for alias in child.names]
        elif isinstance(child, ast.Import):
            names = [alias.name for alias in child.names]
        else:
            continue
        for name in names:
            if name == "visavis" or name.startswith("visavis."):
                yield name, child.lineno


def _late_imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                yield from _imports(statement)


def _module_level_imports(tree: ast.Module):
    late = set(_late_imports(tree))
    return [found for found in _imports(tree) if found not in late]


def test_every_app_has_a_floor():
    apps = {_name(path).split("/")[0].removesuffix(".py") for path in _modules()}
    apps.discard("__init__")
    assert apps - FLOOR_OF.keys() == set(), "give the new app a floor in FLOORS"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_nothing_imports_from_a_higher_floor(path: Path):
    tree = ast.parse(path.read_text())
    own = _name(path).split("/")[0].removesuffix(".py")
    if own == "__init__":
        return
    wrong = [
        f"line {line}: {module} (floor {FLOOR_OF[_app(module)]}) from floor {FLOOR_OF[own]}"
        for module, line in _module_level_imports(tree)
        if _app(module) in FLOOR_OF
        and _app(module) != own
        and FLOOR_OF[_app(module)] >= FLOOR_OF[own]
    ]
    assert wrong == [], "import from the same or a higher floor; send a signal instead"


def test_no_import_hides_inside_a_function():
    found = {
        (_name(path), module): line
        for path in _modules()
        for module, line in _late_imports(ast.parse(path.read_text()))
    }
    unexplained = sorted(
        f"{where}:{line} {module}"
        for (where, module), line in found.items()
        if (where, module) not in ALLOWED_LATE
    )
    assert unexplained == [], "move the import to the top, or explain it in ALLOWED_LATE"
    stale = sorted(f"{where} {module}" for where, module in ALLOWED_LATE.keys() - found.keys())
    assert stale == [], "ALLOWED_LATE names an import that is gone"


# Within rooms: the room's domain (services and what they use) does not speak the wire.
# rooms/wire.py translates its events and errors into protocol messages for the consumer.
DOMAIN = ["rooms/services.py", "rooms/events.py", "rooms/errors.py", "rooms/turn.py",
          "rooms/models.py"]
WIRE = {"visavis.rooms.protocol", "visavis.rooms.wire", "visavis.rooms.consumer"}


@pytest.mark.parametrize("name", DOMAIN)
def test_the_room_domain_does_not_import_the_protocol(name: str):
    tree = ast.parse((PACKAGE / name).read_text())
    wrong = [
        f"line {line}: {module}"
        for module, line in _imports(tree)
        if any(module == w or module.startswith(w + ".") for w in WIRE)
    ]
    assert wrong == [], "return an event (rooms/events.py) or raise RoomError instead"


def test_transport_knows_no_app():
    """visavis/transport/ is the ground: Channels and channels-redis, nothing of visavis."""
    found = [
        f"{_name(path)} line {line}: {module}"
        for path in sorted((PACKAGE / "transport").rglob("*.py"))
        for module, line in _imports(ast.parse(path.read_text()))
    ]
    assert found == []
