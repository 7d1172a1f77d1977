"""Getting a conversation ready: the knowledge base (checked against the demos it may name) and the
engine over it, the same way for every front end."""
from __future__ import annotations

import weakref
from typing import Any, Callable

from demos.core import all_demos
from dialog.acts import ActClassifier
from dialog.engine import Conversation
from knowledge.base import KnowledgeBase
from knowledge.embedder import Progress

Notice = Callable[[str], None]


def load_kb(*, dense: bool = True, notice: Notice | None = None, progress: Progress | None = None) -> KnowledgeBase:
    """The knowledge base; with `dense`, its model loaded too (a second at most: vectors ship with it)."""
    kb = KnowledgeBase.load(demo_ids=[d.id for d in all_demos()], notice=notice)
    if dense:
        kb.warm_up(notice=notice, progress=progress)
    return kb


def conversation(kb: KnowledgeBase, *, lang: str | None = None, can_run_demos: bool = True,
                 runs_beside: bool = True, notice: Notice | None = None, progress: Any = None) -> Conversation:
    """`progress`: the learner's store (dialog.progress.Progress.default()); None keeps it in memory."""
    return Conversation(kb, lang=lang, can_run_demos=can_run_demos, runs_beside=runs_beside,
                        classifier=classifier_for(kb, notice), progress=progress)


_CLASSIFIERS: "weakref.WeakKeyDictionary[KnowledgeBase, ActClassifier]" = weakref.WeakKeyDictionary()


def classifier_for(kb: KnowledgeBase, notice: Notice | None = None) -> ActClassifier:
    """One act classifier per knowledge base: a batch of a hundred questions loads its weights once."""
    if kb not in _CLASSIFIERS:
        _CLASSIFIERS[kb] = ActClassifier(kb, notice=notice)
    return _CLASSIFIERS[kb]
