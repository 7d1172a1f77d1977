"""Every write under Ms. B's cache and data directories goes through here.

- caches and saved files are written atomically (a temporary file, fsync, rename): a crash or a full
  disk leaves the old file or the new one, never half of one;
- a record log (the transcript) is appended line by line, fsynced, and a partial last line — a crash or
  a full disk mid-write — is cut back before the next append, so no completed line is ever lost or glued;
- building what many processes would build at once (the search index) happens under a cross-process
  lock, so the first builds and the others wait for its cache;
- nothing here raises for a directory that is unwritable, read-only or full except where the caller
  asked to write a file of the user's (`save_file`); callers turn OSError into a notice and go on in memory.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import platformdirs

FORMAT = 2  # bump when what is cached changes shape
APP = "ms-b"
LOCK_WAIT = 60.0  # seconds another process may take to build the index before we build without it


def cache_dir() -> Path:
    override = os.environ.get("MSB_CACHE_DIR", "").strip()
    return Path(override).expanduser() if override else Path(platformdirs.user_cache_dir(APP))


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir, else $MSB_DATA_DIR, else the platform's user data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("MSB_DATA_DIR", "").strip()
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP))


def config_dir() -> Path:
    override = os.environ.get("MSB_CONFIG_DIR", "").strip()
    return Path(override).expanduser() if override else Path(platformdirs.user_config_dir(APP))


def content_key(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(f"{FORMAT}:{extra}".encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


# ---------------------------------------------------------------- whole files


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, fsync, rename. Something that squats on a cache
    file's name (a folder left by accident) is cleared first, so a damaged cache can always heal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make a shipped or shared file unreadable to others
    try:
        write(Path(tmp))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_json(path: Path, key: str) -> Any | None:
    """The cached payload if the file exists, parses and carries the expected key; else None."""
    return read_json_checked(path, key)[0]


def read_json_checked(path: Path, key: str) -> tuple[Any | None, str]:
    """(payload, state): state "ok", "missing", "stale" (another key: expected after an edit) or
    "damaged" (unreadable, not JSON, not a cache file) — only the last is worth telling a user."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):  # nothing there (the cache dir may be a file: no cache)
        return None, "missing"
    except (OSError, ValueError):  # unreadable, a directory, not JSON, not UTF-8
        return None, "damaged"
    if not isinstance(data, dict) or "key" not in data:
        return None, "damaged"
    if data.get("key") != key:
        return None, "stale"
    return data.get("payload"), "ok"


def write_json(path: Path, key: str, payload: Any, notice: Callable[[str], None] | None = None) -> bool:
    """Cache a payload under its key; a cache that can't be written costs only a notice."""
    try:
        write_atomic(path, lambda p: p.write_text(json.dumps({"key": key, "payload": payload}, ensure_ascii=False),
                                                  encoding="utf-8"))
        return True
    except OSError as exc:
        if notice is not None:
            notice(f"Couldn't write the search cache in {path.parent} ({exc.strerror or exc}); working without it.")
        return False


def clear_cache() -> None:
    shutil.rmtree(cache_dir(), ignore_errors=True)


# ---------------------------------------------------------------- the user's files


def save_file(path: Path, text: str) -> Path:
    """Save text the user asked for at `path`, never clobbering what is there: a symlink is followed to the
    file it names, anything but a regular file (a device, a folder) is refused, and an existing file is
    kept — the text goes to the first free name "NAME-2.md", "NAME-3.md"… Returns the path written.
    Raises OSError (with a message for the user) when it can't."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        raise IsADirectoryError(0, "not a regular file (a folder or a device); name a file", str(target))
    target = _free_name(target)
    write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))
    return target


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 2
    while (candidate := path.with_name(f"{path.stem}-{n}{path.suffix}")).exists():
        n += 1
    return candidate


# ---------------------------------------------------------------- record logs


def append_line(path: Path, line: str) -> None:
    """Append one line (no newline in it) and fsync. A partial last line left by a crash or a full disk is cut
    back first, so every completed line stays readable and nothing is glued onto a broken one."""
    data = (line + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        end = os.lseek(fd, 0, os.SEEK_END)
        if end:
            keep = _complete_length(fd, end)
            if keep != end:
                os.ftruncate(fd, keep)
                end = keep
        os.lseek(fd, end, os.SEEK_SET)
        written = 0
        try:
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, end)  # don't leave half a line behind if we can help it
            raise
    finally:
        os.close(fd)


def _complete_length(fd: int, end: int) -> int:
    """The length of the file up to and including its last newline."""
    pos = end
    while pos > 0:
        start = max(0, pos - 4096)
        os.lseek(fd, start, os.SEEK_SET)
        chunk = os.read(fd, pos - start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


# ---------------------------------------------------------------- building once


@contextmanager
def build_lock(name: str, wait: float = LOCK_WAIT) -> Iterator[bool]:
    """Hold the cross-process lock `name` while building what others would build too; yields False (and
    holds nothing) when the cache dir can't hold a lock or another process holds it past `wait` seconds."""
    from filelock import FileLock, Timeout

    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(cache_dir() / f"{name}.lock"), timeout=wait)
        lock.acquire()
    except (OSError, Timeout):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
