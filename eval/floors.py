"""The quality floors in `floors.json` beside this file, checked the same way by each evaluation script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FLOORS_FILE = Path(__file__).resolve().parent / "floors.json"


def below_floors(result: dict[str, Any], section: str, floors_file: Path = FLOORS_FILE) -> list[str]:
    """Messages for metrics of `result` below the floors of `section` (keys "<metric>" or dotted
    "<group>.<metric>"; a missing metric counts as 0). No floors file: no floors."""
    floors = json.loads(floors_file.read_text(encoding="utf-8")).get(section, {}) if floors_file.exists() else {}
    failures = []
    for key, floor in floors.items():
        value: Any = result
        for part in key.split("."):
            value = value.get(part, 0.0) if isinstance(value, dict) else 0.0
        if float(value or 0.0) < floor:
            failures.append(
                f"{section} {key} = {float(value or 0.0):.4f} is below the floor {floor:.4f} ({floors_file})"
            )
    return failures
