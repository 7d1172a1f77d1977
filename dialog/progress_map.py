"""The learner's map: the documents' arc of topics, each with where Mr. A stands on it (dialog.standing),
the reviews due, and the next step — the same text for `/progress`, `msb progress` and the app."""
from __future__ import annotations

from typing import Any

from dialog.lines import say
from dialog.standing import grade_marks, standings, state_phrase

# The arc of the documents, in the order the conversation walks it; /progress draws it.
ARC = (
    ("what-deep-means", "what-is-learning", "what-is-representation"),
    ("line-puzzle", "coordinate-change", "same-data", "automatic-search"),
    ("dl-representation-learning", "dl-subset-ml", "why-neural-networks"),
    ("why-now", "where-advances-came-from", "timeline", "just-more-layers", "hype", "black-box"),
    ("breakthroughs", "backpropagation", "initialization", "activation-functions", "dropout", "cnn", "resnet",
     "region-cnn", "rnn-lstm", "gan", "capsules"),
    ("getting-started", "python-and-r", "andrew-ng-course", "chollet-books", "frameworks", "tensorflow", "tensors",
     "distributed-deep-learning", "spark", "future-automl-gui"),
)
STAGES = {"en": ("What “deep” means", "Coordinates", "Deep learning is representation learning", "Why now",
                 "The breakthroughs", "Getting started"),
          "zh": ("「深度」是什么意思", "坐标变换", "深度学习即表征学习", "为什么是现在", "突破性成果", "如何入门")}



def progress_map(kb: Any, progress: Any, lang: str) -> tuple[str, str | None]:
    """The arc with each topic's standing, the reviews due now, and the next topic to explore (its id)."""
    now = progress.clock()
    standing = standings(kb, progress, now)
    lines, suggestion = [], None
    for stage, topics in zip(STAGES[lang], ARC):
        cells = []
        for topic in topics:
            entry, st = kb.entries.get(topic), standing.get(topic)
            if entry is None or st is None:
                continue
            cell = f"{'●' if st.explored else '○'} {entry.title[lang]}{' ▶' if st.watched else ''}"
            if st.checks:
                cell += f" — {grade_marks(st.grades)} · {state_phrase(st.state, st.due, now, lang)}"
            elif st.explored:
                cell += f" — {state_phrase('new', None, now, lang)}"
            cells.append(cell)
            if suggestion is None and not st.explored:
                suggestion = topic
        lines.append(f"**{stage}**\n\n" + "\n".join(f"- {c}" for c in cells))
    in_arc = [t for stage in ARC for t in stage]
    explored = sum(standing[t].explored for t in in_arc if t in standing)
    checked = sum(bool(standing[t].checks) for t in in_arc if t in standing)
    text = say("progress_head", lang, explored=explored, total=len(in_arc), checked=checked)
    due = progress.due_count()
    if due:
        text += "\n\n" + due_line(due, lang)
    text += "\n\n" + "\n\n".join(lines)
    if suggestion is not None:
        text += "\n\n" + say("progress_next", lang, title=kb.entries[suggestion].title[lang])
    return text, suggestion


def due_line(count: int, lang: str) -> str:
    """"2 reviews are due — `/review` runs them." (said only when some are)."""
    return say("reviews_due_one" if count == 1 else "reviews_due", lang, n=count)
