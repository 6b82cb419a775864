"""scripts/system-packages, which `make test` runs first: on a fresh Debian machine it
installs what the tests need when run as root, and otherwise stops at once with the
one command to run (instead of hundreds of failing tests)."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages"


def _shim(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def _run(tmp_path: Path, *, uid: int, missing: set[str]) -> subprocess.CompletedProcess:
    shims = tmp_path / "bin"
    shims.mkdir()
    cases = "".join(f'  *" {name}") echo not-installed; exit 0 ;;\n' for name in missing)
    _shim(shims, "dpkg-query", f'case " $*" in\n{cases}  *) echo installed ;;\nesac')
    _shim(shims, "apt-get", f'echo "apt-get $*" >> "{tmp_path}/apt.log"')
    _shim(shims, "id", f"echo {uid}")
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}"}
    return subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def test_a_machine_with_everything_goes_on_quietly(tmp_path):
    result = _run(tmp_path, uid=1000, missing=set())
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""
    assert not (tmp_path / "apt.log").exists()


def test_without_root_it_stops_with_the_one_command_to_run(tmp_path):
    result = _run(tmp_path, uid=1000, missing={"chromium", "coturn"})
    assert result.returncode == 1
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium coturn"
        in result.stderr
    )
    assert not (tmp_path / "apt.log").exists()


def test_as_root_it_installs_what_is_missing(tmp_path):
    result = _run(tmp_path, uid=0, missing={"janus", "gettext"})
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends janus gettext",
    ]
