"""How hits are ranked and when Ms. B declines: numbers fitted per model and language, kept as data.

`python bench/calibrate.py --write` fits them on tests/data/calibration.yaml (with cross-validation,
reporting margins) and rewrites knowledge/calibration.yaml; code here only reads and applies them.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path


from knowledge.errors import KnowledgeError
from knowledge import safe_yaml

CALIBRATION_FILE = Path(__file__).parent / "calibration.yaml"
LEXICAL = "lexical"  # the scoring used before a model is loaded, or without one
DEFAULT_MODEL = "default"  # for a model nobody calibrated (a user's own sentence-transformers model)


@dataclass(frozen=True)
class Scoring:
    dense: bool  # whether this language uses the model's similarity at all
    rank_coverage: float = 0.0  # ranking: weight of the query's word coverage
    rank_bm25: float = 0.0  # ranking: weight of BM25 (normalised by the best hit's), when dense
    confidence: str = "coverage"  # "sum": dense + conf_coverage·coverage; "product": dense damped by
    #                               low coverage; "coverage": coverage alone (keyword search)
    conf_coverage: float = 0.0
    floor: float = 0.0  # "product": the share of the dense score kept at zero coverage
    conf_unknown: float = 0.0  # "sum": penalty per unit of the query's weight in words the knowledge never uses
    threshold: float = 0.5  # confidence below this → an honest fallback

    def rank(self, dense: float | None, bm25: float, coverage: float) -> float:
        """Which entry answers best (bm25 normalised by the best hit's, so 0..1)."""
        if self.dense and dense is not None:
            return dense + self.rank_coverage * coverage + self.rank_bm25 * bm25
        return bm25 + self.rank_coverage * coverage

    def score(self, dense: float | None, coverage: float, unknown: float = 0.0) -> float:
        """One number compared with `threshold`."""
        if not self.dense or dense is None or self.confidence == "coverage":
            return coverage
        if self.confidence == "product":
            full = self.conf_coverage or 1.0
            return dense * (self.floor + (1.0 - self.floor) * min(1.0, coverage / full))
        return dense + self.conf_coverage * coverage - self.conf_unknown * unknown


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Scoring]]:
    try:
        raw = safe_yaml.load(CALIBRATION_FILE.read_text(encoding="utf-8"))
        names = {f.name for f in fields(Scoring)}
        return {model: {lang: Scoring(**{k: v for k, v in spec.items() if k in names})
                        for lang, spec in langs.items()}
                for model, langs in raw["models"].items()}
    except (OSError, safe_yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(f"{CALIBRATION_FILE}: not a valid calibration file ({exc})") from None


def scoring(model: str | None, lang: str) -> Scoring:
    """The scoring for a model (None: keyword search only) and a language."""
    table = _table()
    lang = "zh" if lang == "zh" else "en"
    return table.get(model or LEXICAL, table[DEFAULT_MODEL])[lang]


def models() -> list[str]:
    return list(_table())
