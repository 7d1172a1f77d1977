"""`msb index`: build or rebuild the search index, or add the user's own Markdown documents."""
from __future__ import annotations

import sys

from dialog.startup import load_kb
from dialog.terminal.output import stderr_notice
from knowledge import storage
from knowledge.safe_text import clean


def index_main(action: str | None, paths: list[str], rebuild: bool) -> int:
    if action == "add":
        return add(paths)
    if rebuild:
        storage.clear_cache()
    kb = _load_with_progress("Building the search index")
    print(f"Index ready: {len(kb.entries)} entries, {len(kb.passages)} passages, {len(kb.units)} search units "
          f"(cache: {storage.cache_dir()}).")
    return 0


def add(paths: list[str]) -> int:
    from knowledge.user_docs import add_documents

    if not paths:
        print("msb index add: name one or more Markdown files or folders", file=sys.stderr)
        return 2
    added = add_documents(paths)
    for path, why in added.skipped:
        print(f"msb index add: skipped {clean(str(path))}: {why}", file=sys.stderr)
    if not added.stored:
        return 2
    kb = _load_with_progress("Embedding your documents for search")
    mine = {d.path.name: d for d in kb.user_documents.values()}
    lines = []
    for src, dest in added.stored:
        doc = mine.get(dest.name)
        state = "updated" if src in added.updated else "added"
        lines.append(f"  {state} {clean(str(src))}: {len(doc.passages) if doc else 0} passages")
    total = sum(len(d.passages) for d in kb.user_documents.values())
    print(f"{len(added.stored)} document(s) added or updated:\n" + "\n".join(lines)
          + f"\nYour documents: {len(kb.user_documents)}, {total} passages, searchable and cited.")
    return 0


def _load_with_progress(what: str):
    """The knowledge base, with a bar while texts are embedded (on a terminal; quiet when piped)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(what, total=None)
        return load_kb(notice=stderr_notice(), progress=lambda done, total: bar.update(task, completed=done, total=total))



