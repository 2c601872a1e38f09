"""Starting Opora in a child process with a clean environment (settings are read once, at
import): for tests of what a production start does."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPORA = [sys.executable, "-m", "opora.cli"]
KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz-_"


def run(args, tmp_path, **env):
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src"),
             "OPORA_VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(args, env=clean, cwd=tmp_path, capture_output=True, text=True, timeout=120)
