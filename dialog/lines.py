"""Ms. B's fixed lines — everything she or the app says that is not a knowledge entry — kept as data in both
languages (dialog/catalogue/*.yaml, keyed by id, as Rasa keeps `responses:`), so a phrase is fixed in one
place and a new language is one more column. A key may hold several variants; `{name}` fields are filled by
the caller. Each file holds one part's lines (the engine's, the app's…); a key is defined once across them.
"""
from __future__ import annotations

import random
import string
from functools import lru_cache
from pathlib import Path


from knowledge.lang import LANGS
from knowledge import safe_yaml

CATALOGUE = Path(__file__).parent / "catalogue"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every line by id and language, each a tuple of variants. Raises ValueError naming a malformed entry."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted(CATALOGUE.glob("*.yaml")):
        raw = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
        for key, langs in raw.items():
            if str(key) in out:
                raise ValueError(f"{path}: {key}: defined twice in the catalogue")
            if not isinstance(langs, dict):
                raise ValueError(f"{path}: {key}: expected en and zh")
            out[str(key)] = {}
            for lang in LANGS:
                value = langs.get(lang)
                variants = tuple(value) if isinstance(value, list) else (value,)
                if not variants or not all(isinstance(v, str) and v.strip() for v in variants):
                    raise ValueError(f"{path}: {key}: no {lang} line")
                out[str(key)][lang] = tuple(v.rstrip("\n") for v in variants)
    return out


def fields(text: str) -> set[str]:
    """The `{name}` fields a line expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def say(key: str, lang: str, rng: random.Random | None = None, **values: object) -> str:
    """The line `key` in `lang` (one of its variants), its fields filled; KeyError for an unknown key."""
    variants = catalogue()[key]["zh" if lang == "zh" else "en"]
    text = variants[0] if len(variants) == 1 else (rng or random).choice(variants)
    return text.format(**values) if values or "{" in text else text
