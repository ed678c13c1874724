"""Run the `storyline` command line on a SQLite store and time it, for the benchmarks beside this file."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_cli(db: Path, *args: str) -> tuple[float, str]:
    """Run the storyline CLI on `db`; (wall seconds, stdout). A failure stops the benchmark with its stderr."""
    cmd = [sys.executable, "-m", "storyline", "--db", f"sqlite:///{db}", *args]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, done.stdout
