"""Run the `storyline` command line as users do, for the evaluation scripts beside this file."""

from __future__ import annotations

import subprocess
import sys


def run_storyline(*args: str) -> str:
    """Run `python -m storyline ARGS...`; its stdout, or exit with its stderr when it fails."""
    cmd = [sys.executable, "-m", "storyline", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout
