"""`msb index`: build or rebuild the search index; add, list or remove the user's own Markdown documents."""
from __future__ import annotations

import sys
import time

from dialog.startup import load_kb
from dialog.terminal.output import stderr_notice
from knowledge import storage
from knowledge.safe_text import clean

PIPED_STEPS = 10  # when stderr is not a terminal, one line per tenth of the work


def index_main(action: str | None, paths: list[str], rebuild: bool, as_json: bool = False) -> int:
    if action == "add":
        return add(paths)
    if action == "list":
        return list_documents(as_json)
    if action == "remove":
        return remove(paths, as_json)
    if rebuild:
        storage.clear_cache()
    kb = _load_with_progress("Building the search index")
    print(f"Index ready: {len(kb.entries)} entries, {len(kb.passages)} passages, {len(kb.units)} search units "
          f"(cache: {_shown(storage.cache_dir())}).")
    return 0


def _passages(n: int) -> str:
    return "1 passage" if n == 1 else f"{n:,} passages"


def _shown(path) -> str:
    return clean(storage.shown(path))


def add(paths: list[str]) -> int:
    from knowledge.backends import load_embedder
    from knowledge.library import add as add_to_library

    if not paths:
        print("msb index add: name one or more Markdown files or folders", file=sys.stderr)
        return 2
    report = Report("Embedding your documents")
    try:
        added = add_to_library(paths, load_embedder(notice=stderr_notice()), progress=report,
                               notice=stderr_notice())
    except KeyboardInterrupt:
        report.close()
        from knowledge.vectors import SAVE_EVERY

        saved = report.done // SAVE_EVERY * SAVE_EVERY  # vectors are kept a whole batch at a time
        if saved:
            again = f"the {saved:,} passages embedded so far are kept, so it goes on from there."
        else:  # stopped inside the first batch: nothing of it was kept
            again = f"it starts from the beginning (passages are kept {SAVE_EVERY} at a time)."
        print(f"\nmsb index add: stopped; nothing was added. Run the same command again: {again}", file=sys.stderr)
        return 130
    report.close()
    for path, why in added.skipped:
        print(f"msb index add: skipped {_shown(path)}: {why}", file=sys.stderr)
    if not added.stored:
        return 2
    kb = _load_with_progress("Loading the search index")
    mine = {d.path.name: d for d in kb.user_documents.values()}
    lines = []
    for src, dest in added.stored:
        doc = mine.get(dest.name)
        state = "updated" if src in added.updated else "added"
        lines.append(f"  {state} {_shown(src)}: {_passages(len(doc.passages) if doc else 0)}")
    total = sum(len(d.passages) for d in kb.user_documents.values())
    stored = len(added.stored)
    print(f"{stored} document{'' if stored == 1 else 's'} added or updated:\n" + "\n".join(lines)
          + f"\nYour documents: {len(kb.user_documents)}, {_passages(total)}, searchable and cited.")
    return 0


def list_documents(as_json: bool) -> int:
    from knowledge.library import documents

    shelf = documents(stderr_notice())
    if as_json:
        from dialog.terminal.output import json_text

        print(json_text([{"name": d.name, "title": d.title, "source": d.source,
                          "added": d.added.isoformat(timespec="seconds"), "passages": d.passages} for d in shelf],
                        sys.stdout))
        return 0
    if not shelf:
        print("You have added no documents yet: msb index add FILE.md makes one searchable and citable.")
        return 0
    print(f"Your documents ({len(shelf)}):")
    for d in shelf:
        passages = _passages(d.passages)
        source = f", from {_shown(d.source)}" if d.source else ""
        print(f"  {_shown(d.name)}  “{clean(d.title)}” — {passages}, added {d.added:%Y-%m-%d %H:%M}{source}")
    print("msb index remove NAME takes one out (the file it came from is not touched).")
    return 0


def remove(names: list[str], as_json: bool) -> int:
    from knowledge.library import remove as remove_from_library

    if len(names) != 1:
        print("msb index remove: name one document, as msb index list shows it (e.g. msb index remove notes.md)",
              file=sys.stderr)
        return 2
    gone = remove_from_library(names[0], stderr_notice())
    if as_json:
        from dialog.terminal.output import json_text

        print(json_text({"removed": gone.name, "title": gone.title, "source": gone.source}, sys.stdout))
    else:
        print(f"Removed {_shown(gone.name)} (“{clean(gone.title)}”) from your documents; "
              + (f"{_shown(gone.source)} itself is untouched." if gone.source else "nothing else was touched."))
    return 0


class Report:
    """How embedding gets on, on stderr: a bar on a terminal; piped, a line each tenth with the time left."""

    def __init__(self, what: str) -> None:
        from rich.console import Console

        self.what = what
        self.console = Console(stderr=True)
        self.done = 0
        self._bar = self._task = None
        self._start = time.monotonic()
        self._step = -1

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if self.console.is_terminal:
            if self._bar is None:
                from rich.progress import Progress

                self._bar = Progress(console=self.console, transient=True)
                self._bar.start()
                self._task = self._bar.add_task(self.what, total=total)
            self._bar.update(self._task, completed=done, total=total)
            return
        step = done * PIPED_STEPS // max(total, 1)
        if step != self._step:
            self._step = step
            print(f"{self.what}: {done:,}/{total:,} passages ({100 * done // max(total, 1)}%){self._left(done, total)}",
                  file=sys.stderr, flush=True)

    def _left(self, done: int, total: int) -> str:
        if not done or done >= total:
            return ""
        seconds = (time.monotonic() - self._start) * (total - done) / done
        return f", about {seconds / 60:.0f} min left" if seconds >= 90 else f", about {seconds:.0f} s left"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _load_with_progress(what: str):
    """The knowledge base, with a bar while texts are embedded (on a terminal; lines when piped)."""
    report = Report(what)
    try:
        return load_kb(notice=stderr_notice(), progress=report)
    finally:
        report.close()
