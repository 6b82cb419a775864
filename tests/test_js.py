"""Type check the browser client, lint it for the oldest browsers it supports
(package.json "browserslist", eslint.config.js, docs/browsers.md), and run its DOM-free
unit tests (tests/js/) with Node.

Locally the test is skipped when Node.js is not installed; in CI (CI=true) that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TSCONFIG = "jsconfig.json"


def _tools() -> tuple[str, str, str]:
    node, npm, npx = (shutil.which(name) for name in ("node", "npm", "npx"))
    if node and npm and npx:
        return node, npm, npx
    message = "Node.js (node, npm, npx) is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and CI needs it for the JavaScript checks")
    pytest.skip(message)


def _run(
    *command: str, timeout: float, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env={
            **os.environ,
            "NO_COLOR": "1",
            "FORCE_COLOR": "0",
            # The browser data is pinned in package-lock.json: no nagging to update it.
            "BROWSERSLIST_IGNORE_OLD_DATA": "1",
        },
    )


def _check(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"`{' '.join(result.args)}` exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


@pytest.fixture(scope="module")
def node_tools() -> tuple[str, str]:
    node, npm, npx = _tools()
    needed = ("typescript", "eslint", "eslint-plugin-compat")
    if not all((ROOT / "node_modules" / name / "package.json").exists() for name in needed):
        _check(_run(npm, "ci", "--no-audit", "--no-fund", timeout=600))
    return node, npx


def test_typecheck(node_tools):
    _node, npx = node_tools
    _check(_run(npx, "--no-install", "tsc", "-p", TSCONFIG, timeout=300))


CLIENT_JS = "src/visavis/web/static/visavis/js"


def test_browser_compatibility(node_tools):
    """Every Web API the client uses exists in the oldest browsers it supports, or is
    guarded (eslint-plugin-compat; a guard it cannot see carries a one-line disable)."""
    _node, npx = node_tools
    _check(_run(npx, "--no-install", "eslint", "--max-warnings", "0", CLIENT_JS, timeout=300))


def test_browser_compatibility_lint_is_live(node_tools):
    """The lint above really checks the client's files: APIs Safari lacks are found."""
    _node, npx = node_tools
    probe = "navigator.vibrate(200);\nexport const capture = new ImageCapture(track);\n"
    result = _run(
        npx, "--no-install", "eslint", "--max-warnings", "0", "--stdin",
        "--stdin-filename", f"{CLIENT_JS}/compat-probe.js",
        timeout=300, stdin=probe,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "navigator.vibrate() is not supported in Safari 16.4" in result.stdout, result.stdout
    assert "ImageCapture is not supported in" in result.stdout, result.stdout


def test_js_unit_tests(node_tools):
    node, _npx = node_tools
    # Files, not the folder: Node 21+ no longer searches a folder given to --test.
    files = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "js").glob("*.test.mjs")
    )
    assert files, "no tests/js/*.test.mjs found"
    result = _run(node, "--test", "--test-reporter=tap", *files, timeout=300)
    _check(result)
    counts = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.MULTILINE))
    assert int(counts.get("tests", 0)) > 0, f"no JavaScript test ran:\n{result.stdout}"
    assert counts.get("fail") == "0", result.stdout
