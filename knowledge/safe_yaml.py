"""YAML as plain data: read with a safe loader (a tag never builds an object), LibYAML's C one where PyYAML
has it — ~10x faster on the entries, the examples and the catalogue, which every start reads.

Even the C loader builds its Python objects in Python (~40 ms a start for the shipped files), so what a
text parses to is kept in the cache as JSON under a hash of the text, and read back from there the next
time (~10x faster again). Only data that JSON holds exactly is kept (no dates, no integer keys); a memo
that can't be read is parsed again and rewritten, and a cache that can't be written only costs the time.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from knowledge import storage

MEMO_FORMAT = 1  # of what a memo holds; part of its name, so another format is never read


def load(text: str) -> Any:
    """The plain data a YAML text holds; yaml.YAMLError when it isn't YAML."""
    folder = storage.configured_cache_dir()
    if folder is None:  # nobody said where the cache is (a library call before the app's set-up)
        return _parse(text)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    path = folder / "yaml" / f"{MEMO_FORMAT}-{digest}.json"
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(memo, dict) and memo.get("sha") == digest and "data" in memo:
            return memo["data"]
    except (OSError, ValueError):  # none yet, unreadable, or damaged: parsed again below
        pass
    data = _parse(text)
    try:
        dumped = json.dumps({"sha": digest, "data": data}, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # a date, a set, NaN: JSON can't hold it, so it is parsed every time
        return data
    if json.loads(dumped)["data"] == data:  # integer keys would come back as strings: not kept
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            storage.write_atomic(path, lambda tmp: tmp.write_text(dumped, encoding="utf-8"))
        except (OSError, UnicodeError):
            pass
    return data


def _parse(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=loader())


def loader():
    """PyYAML's safe loader, its C one where it has it. PyYAML is imported only here and on errors: with every
    text read from its memo, a start never pays for the import (~10 ms)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def __getattr__(name: str):
    # `except safe_yaml.YAMLError` looks the name up only when something was raised: yaml's own class.
    if name == "YAMLError":
        import yaml

        return yaml.YAMLError
    raise AttributeError(name)
