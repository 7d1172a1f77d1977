"""The on-disk index cache: keyed by a hash of the knowledge files and the model; never trusted blindly."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable

import platformdirs

FORMAT = 2  # bump when what is cached changes shape


def cache_dir() -> Path:
    override = os.environ.get("MSB_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("ms-b"))


def content_key(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(f"{FORMAT}:{extra}".encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


def read_json(path: Path, key: str) -> Any | None:
    """The cached payload if the file exists, parses and carries the expected key; else None."""
    return read_json_checked(path, key)[0]


def read_json_checked(path: Path, key: str) -> tuple[Any | None, str]:
    """(payload, state): state "ok", "missing", "stale" (another key: expected after an edit) or
    "damaged" (unreadable, not JSON, not a cache file) — only the last is worth telling a user."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError):  # unreadable, a directory, not JSON, not UTF-8
        return None, "damaged"
    if not isinstance(data, dict) or "key" not in data:
        return None, "damaged"
    if data.get("key") != key:
        return None, "stale"
    return data.get("payload"), "ok"


def write_atomic(path: Path, write) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a cache file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make a shipped or shared file unreadable to others
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path: Path, key: str, payload: Any, notice=None) -> bool:
    """Cache a payload under its key; a cache that can't be written costs only a notice."""
    try:
        write_atomic(path, lambda p: p.write_text(json.dumps({"key": key, "payload": payload}, ensure_ascii=False),
                                                  encoding="utf-8"))
        return True
    except OSError as exc:
        if notice is not None:
            notice(f"Couldn't write the search cache in {path.parent} ({exc.strerror or exc}); "
                   "working without it.")
        return False


def clear() -> None:
    shutil.rmtree(cache_dir(), ignore_errors=True)
