"""Running ``visavis`` commands against a data directory, in a clean environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import visavis_command


def clean_env(data_dir: Path, **settings) -> dict[str, str]:
    """This environment without any visavis setting, the data directory ``data_dir`` and
    ``settings`` as ``VISAVIS_<NAME>`` variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VISAVIS_") and k not in ("DJANGO_SETTINGS_MODULE",
                                                         "DATABASE_URL", "REDIS_URL")}
    env["VISAVIS_DATA_DIR"] = str(data_dir)
    env.update({f"VISAVIS_{k.upper()}": v for k, v in settings.items()})
    return env


def run(data_dir: Path, *args: str, stdin: str | None = None, **settings
        ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [visavis_command(), *args], env=clean_env(data_dir, **settings), input=stdin,
        capture_output=True, text=True, timeout=60,
    )
