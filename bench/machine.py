"""One line describing the machine a benchmark ran on: figures mean little without it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe(*extra: str) -> str:
    """Cores, CPU, Python and the load average at start (other work on the machine skews
    timings, so a benchmark says how busy the machine was)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    parts = [f"{os.cpu_count()} cores (nproc)", cpu_model(),
             f"Python {platform.python_version()}", *extra, f"load average {load} at start"]
    return ", ".join(parts)
