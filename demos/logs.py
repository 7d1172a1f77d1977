"""Where a demo worker's output goes: a log file read back only to explain a crash.

Logs live in a folder the app names (its cache dir; the system's temporary folder until told). The worker
says when it has its log open, and the name is removed then, so nothing is left even after kill -9; a log
whose app died before that (a kill in the first instant) is removed by the next app that starts a demo.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

PREFIX = "msb-demo-"
_folder: Path | None = None


def use_log_dir(folder: Path | None) -> None:
    """Workers' logs go in `folder` from now on (None: the system's temporary folder)."""
    global _folder
    _folder = folder


def new_log() -> tuple[int, str]:
    """A new log: (a descriptor to read its tail from here, its path for the worker to open)."""
    folder = _folder or Path(tempfile.gettempdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _clear_orphans(folder)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".log", dir=folder)


def tail(fd: int, limit: int = 4000) -> str:
    try:
        end = os.lseek(fd, 0, os.SEEK_END)
        return os.pread(fd, limit, max(0, end - limit)).decode("utf-8", "replace")
    except OSError:
        return ""


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _clear_orphans(folder: Path) -> None:
    for log in folder.glob(f"{PREFIX}*.log"):
        try:
            owner = int(log.name[len(PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if owner != os.getpid() and not _alive(owner):
            remove(str(log))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True
