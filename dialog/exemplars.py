"""Questions people really asked, labelled with what they were about: the labelled corpus's fresh questions
(tests/data/conversations/, tests/data/edges.yaml) as a nearest-neighbour memory. A new line that reads
like questions about dropout is likely about dropout; one that reads like questions the documents don't
cover ("how does batch norm work?") is likely one to decline. The policies weigh these similarities beside
the knowledge base's own (dialog/policies.py); the scorer's weights were fitted with each writer's own
questions left out, so what they learned is how far such neighbours can be trusted on new wordings.

The vectors ship per model in dialog/exemplars/<model>.npz (written by `python bench/policy.py --write`,
keyed by the corpus); without them (another model, keyword search) the features are absent, not guessed.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

DIR = Path(__file__).parent / "exemplars"
DECLINE = "decline"  # the label of a question the documents don't cover
NEAREST = 24  # neighbours read per line: enough for every label near it to show


@dataclass(frozen=True)
class Exemplar:
    text: str
    lang: str
    label: str  # a topic id, or DECLINE
    group: str = ""  # who wrote it (a fold of the labelled corpus): left out when judging that writer


class Exemplars:
    def __init__(self, labels: Sequence[str], vectors: np.ndarray, groups: Sequence[str] = ()) -> None:
        self.labels = list(labels)
        self.vectors = np.asarray(vectors, np.float32)
        self.groups = np.array(list(groups) if groups else [""] * len(self.labels))
        self.exclude: str | None = None  # a group left out (benchmarks judging a writer on others' questions)

    def __len__(self) -> int:
        return len(self.labels)

    def nearest(self, vector: np.ndarray) -> dict[str, float]:
        """label → the similarity of its closest exemplar to the line, for the labels near it."""
        if not len(self.labels):
            return {}
        sims = self.vectors @ np.asarray(vector, np.float32).reshape(-1)
        if self.exclude is not None:
            sims = np.where(self.groups == self.exclude, -1.0, sims)
        top = np.argsort(-sims)[:NEAREST]
        out: dict[str, float] = {}
        for i in top.tolist():
            if sims[i] > -1.0:
                out.setdefault(self.labels[i], float(sims[i]))
        return out


def path_for(model: str) -> Path:
    return DIR / f"{model}.npz"


@lru_cache(maxsize=4)
def load(model: str | None, key: str | None = None) -> Exemplars | None:
    """The shipped exemplars for a model (None without a model, or for one nobody shipped them for): read once
    per process, not once per conversation — a batch of questions starts one for each."""
    if not model:
        return None
    try:
        with np.load(path_for(model), allow_pickle=False) as data:
            if key is not None and str(data["key"]) != key:
                return None
            return Exemplars([str(x) for x in data["labels"]], data["vectors"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write(model: str, key: str, labels: Iterable[str], vectors: np.ndarray) -> Path:
    from knowledge import storage

    path = path_for(model)
    load.cache_clear()  # what was read before is replaced
    labels = np.array(list(labels))

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            # not compressed: half-precision vectors barely shrink (1.59 vs 1.75 MB), and decompressing
            # cost ~15 ms of every start
            np.savez(f, key=np.array(key), labels=labels, vectors=np.asarray(vectors, np.float16))

    path.parent.mkdir(parents=True, exist_ok=True)
    storage.write_atomic(path, save)
    return path
