"""Check questions (knowledge/checks/*.yaml): at least three about ideas per entry (what it means, why it
matters; a name, a title or a price is type `fact`), at most six in all, in both languages, each with the key
points a good answer holds and a model answer. Validated at load like the entries; errors name the file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


from knowledge.entries import Entry, tidy
from knowledge.errors import KnowledgeError
from knowledge.lang import LANGS
from knowledge import safe_yaml

CHECKS_DIR = Path(__file__).parent / "checks"
# fact: asks for a name, a title, a place or a price — worth knowing, but not what understanding is; a round
# asks one only when no question about an idea is left (dialog.quiz).
KINDS = ("recall", "application", "misconception", "fact")


@dataclass(frozen=True)
class KeyPoint:
    point: dict[str, str]  # the point in a sentence, per language
    terms: dict[str, tuple[str, ...]]  # words a right answer is likely to use, per language (lower case)


@dataclass(frozen=True)
class Check:
    id: str
    entry: str
    kind: str  # recall | application | misconception | fact
    question: dict[str, str]
    key_points: tuple[KeyPoint, ...]
    answer: dict[str, str]


def _bilingual(value, where: str, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS):
        raise KnowledgeError(f"{where}: {what} needs both 'en' and 'zh' text")
    return {lang: tidy(value[lang], lang) for lang in LANGS}


def _key_point(raw, where: str) -> KeyPoint:
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: a key point needs a point and terms")
    terms = raw.get("terms")
    if not isinstance(terms, dict) or not all(isinstance(terms.get(lang), list) and terms[lang] for lang in LANGS):
        raise KnowledgeError(f"{where}: key point terms need 'en' and 'zh' lists")
    return KeyPoint(_bilingual(raw.get("point"), where, "a key point"),
                    {lang: tuple(str(t).lower() for t in terms[lang]) for lang in LANGS})


def parse_checks(path: Path) -> list[Check]:
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"))
    except (OSError, safe_yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: not a readable checks file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        raise KnowledgeError(f"{path}: needs entry and a list of checks")
    out = []
    for i, raw in enumerate(data["checks"], 1):
        where = f"{path}: check {i}"
        if not isinstance(raw, dict) or not str(raw.get("id", "")).strip():
            raise KnowledgeError(f"{where}: needs an id")
        kind = str(raw.get("type", ""))
        if kind not in KINDS:
            raise KnowledgeError(f"{where}: type must be one of {', '.join(KINDS)}, got {kind!r}")
        points = raw.get("key_points")
        if not isinstance(points, list) or not 1 <= len(points) <= 3:
            raise KnowledgeError(f"{where}: needs one to three key points")
        out.append(Check(str(raw["id"]), str(data.get("entry", path.stem)), kind,
                         _bilingual(raw.get("question"), where, "question"),
                         tuple(_key_point(p, where) for p in points), _bilingual(raw.get("answer"), where, "answer")))
    return out


def load_checks(entries: Iterable[Entry], directory: Path = CHECKS_DIR) -> dict[str, Check]:
    """Every check by id; each entry must have three to six, three of them about ideas (not `fact`), ids
    unique, each naming its entry."""
    entries = {e.id: e for e in entries}
    checks: dict[str, Check] = {}
    per_entry: dict[str, int] = {}
    ideas: dict[str, int] = {}
    for path in sorted(directory.glob("*.yaml")):
        for check in parse_checks(path):
            if check.entry not in entries:
                raise KnowledgeError(f"{path}: checks for unknown entry {check.entry!r}")
            if check.id in checks:
                raise KnowledgeError(f"{path}: duplicate check id {check.id!r}")
            checks[check.id] = check
            per_entry[check.entry] = per_entry.get(check.entry, 0) + 1
            if check.kind != "fact":
                ideas[check.entry] = ideas.get(check.entry, 0) + 1
    missing = [e for e in entries if not (per_entry.get(e, 0) <= 6 and ideas.get(e, 0) >= 3)]
    if missing:
        raise KnowledgeError(f"{directory}: every entry needs three to six checks, three of them about ideas; "
                             f"not so for {', '.join(missing[:5])}")
    return checks
