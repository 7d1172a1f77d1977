"""Every write under Ms. B's cache and data directories goes through here.

- caches and saved files are written atomically (a temporary file, fsync, rename): a crash or a full
  disk leaves the old file or the new one, never half of one;
- files are created with the user's umask: caches as any file of theirs, and what is private (transcripts,
  progress, saved conversations, added documents) readable by its owner alone;
- a record log (the transcript) is created exclusively and appended line by line under a lock, fsynced,
  and a partial last line — a crash or a full disk mid-write — is cut back before the next append, so two
  writers never share a name or glue lines, and no completed line is lost;
- building what many processes would build at once (the search index, vectors) happens under a
  cross-process lock, so the first builds and the others wait for its cache;
- nothing here raises for a directory that is unwritable, read-only or full except where the caller
  asked to write a file of the user's (`save_file`); callers turn OSError into a notice and go on in memory.

Where things live is decided once, by the caller that read the command line (`use`); until then the
platform's user directories.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import platformdirs

try:
    import fcntl
except ImportError:  # Windows: appends go unlocked (one app per user there)
    fcntl = None  # type: ignore[assignment]

FORMAT = 2  # bump when what is cached changes shape
APP = "ms-b"
LOCK_WAIT = 60.0  # seconds another process may take to build the index before we build without it
PRIVATE = 0o600  # the kernel still applies the umask on top
SHARED = 0o666
TEMP_SUFFIX = ".tmp"
# What tempfile.mkstemp named a temporary copy of a document or of the manifest, before temp files had a name.
_LEGACY_TEMP = re.compile(r".+\.(?:md|json)\.[a-z0-9_]{8}$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Places:
    data: Path
    cache: Path
    config: Path

    @classmethod
    def platform(cls) -> "Places":
        return cls(Path(platformdirs.user_data_dir(APP)), Path(platformdirs.user_cache_dir(APP)),
                   Path(platformdirs.user_config_dir(APP)))


_places: Places | None = None


def use(places: Places | None) -> None:
    """Where the data, cache and config live from now on (None: the platform's user directories)."""
    global _places
    _places = places


def places() -> Places:
    return _places or Places.platform()


def cache_dir() -> Path:
    return places().cache


def configured_cache_dir() -> Path | None:
    """The cache the program was told to use, or None before anyone said (where a memo must not go)."""
    return _places.cache if _places is not None else None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    return Path(override).expanduser() if override else places().data


def config_dir() -> Path:
    return places().config


def content_key(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(f"{FORMAT}:{extra}".encode())
    for p in sorted(paths):
        h.update(os.fsencode(p.name))
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


def shown(text: str | os.PathLike[str]) -> str:
    """A path, argument or text as it can be printed and written as UTF-8: bytes that weren't UTF-8 (which
    Python carries as lone surrogates, in file names and arguments) become �."""
    s = os.fspath(text)
    if isinstance(s, bytes):
        return s.decode("utf-8", "replace")
    if not _SURROGATE.search(s):
        return s
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte ("\\ud800" read from JSON)
        return _SURROGATE.sub("\ufffd", s)


# ---------------------------------------------------------------- whole files


def write_atomic(path: Path, write: Callable[[Path], None], *, private: bool = False) -> None:
    """Write through a temporary file in the same folder, fsync, rename. A file replaced keeps its
    permissions; a new one gets the user's umask (`private`: the owner's alone). Something that squats on
    a cache file's name (a folder left by accident) is cleared first, so a damaged cache can always heal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE if private else SHARED))
    try:
        try:
            old = path.stat().st_mode
            if stat.S_ISREG(old):
                os.chmod(tmp, stat.S_IMODE(old) & (PRIVATE if private else 0o7777))
        except OSError:
            pass
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def write_dir_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """A folder of files, as write_atomic writes one: built under a temporary name beside it, then renamed
    into place (what was there before, folder or file, is removed first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        write(tmp)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cache_unwritable(notice: Callable[[str], None] | None, folder: Path, exc: BaseException) -> None:
    """Tell that a search cache couldn't be written (the work goes on without it)."""
    if notice is not None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        notice(f"Couldn't write the search cache in {shown(folder)} ({why}); working without it.")


def temp_files(folder: Path) -> list[Path]:
    """What interrupted atomic writes left in `folder`."""
    try:
        return [p for p in folder.iterdir() if p.is_file() and (
            (p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX)) or _LEGACY_TEMP.match(p.name))]
    except OSError:
        return []


def clean_temp(folder: Path) -> int:
    """Remove what interrupted atomic writes left in `folder` (call it holding the folder's lock, so no
    write in flight is touched); how many were removed."""
    removed = 0
    for p in temp_files(folder):
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


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
    except (OSError, UnicodeError) as exc:
        cache_unwritable(notice, path.parent, exc)
        return False


def clear_cache() -> None:
    shutil.rmtree(cache_dir(), ignore_errors=True)


# ---------------------------------------------------------------- the user's files


def save_file(path: Path, text: str) -> Path:
    """Save text the user asked for at `path`, never clobbering what is there: a symlink is followed to the
    file it names, anything but a regular file (a device, a folder) is refused, and an existing file is
    kept — the text goes to the first free name "NAME-2.md", "NAME-3.md"… Readable by the user alone.
    Returns the path written. Raises OSError (with a message for the user) when it can't."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        raise IsADirectoryError(0, "not a regular file (a folder or a device); name a file", str(target))
    target = _free_name(target)
    write_atomic(target, lambda p: p.write_text(text, encoding="utf-8", errors="replace"), private=True)
    return target


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 2
    while (candidate := path.with_name(f"{path.stem}-{n}{path.suffix}")).exists():
        n += 1
    return candidate


def create_exclusive(path: Path, *, private: bool = True) -> bool:
    """Create an empty file at `path` unless something is there already (True: it is ours)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE if private else SHARED))
        return True
    except FileExistsError:
        return False


# ---------------------------------------------------------------- record logs


def append_line(path: Path, line: str, *, private: bool = True) -> None:
    """Append one line (no newline in it) and fsync, holding the file's lock. A partial last line left by a
    crash or a full disk is cut back first, so every completed line stays readable and nothing is glued
    onto a broken one; the lock keeps another writer from cutting back a line this one is writing."""
    data = (line + "\n").encode("utf-8", "replace")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE if private else SHARED)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
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
        os.close(fd)  # closing releases the lock


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
    holds nothing) when the cache dir can't hold a lock or another process holds it past `wait` seconds
    (0: don't wait at all)."""
    from filelock import FileLock, Timeout

    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(cache_dir() / f"{name}.lock"), timeout=wait)
        lock.acquire(blocking=wait > 0)
    except (OSError, Timeout):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
