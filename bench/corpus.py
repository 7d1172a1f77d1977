"""The labelled conversations (tests/data/conversations/*.yaml) and single questions at the edge of the
documents (tests/data/edges.yaml): loading them, and what counts as Ms. B doing what a turn's label says —
shared by bench/policy.py (fitting the scorer) and bench/dialogs.py (judging whole conversations).

A turn's label: `expect` (answer | fallback | demo | smalltalk), `topic` for answers, `part` when one
layer or fact is asked for, `demo` for demo requests, `lang` of the reply, `skill`, `family` (the wording
pattern of a follow-up: its writer's own names). Writers are the phrasing families: each wrote alone, so a
figure on a writer the scorer was not fitted on is a figure on wordings it never saw.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = ROOT / "tests" / "data" / "conversations"
EDGES = ROOT / "tests" / "data" / "edges.yaml"
NOTES = ROOT / "tests" / "data" / "notes"
NOTES_QUESTIONS = ROOT / "tests" / "data" / "notes_questions.yaml"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Turn:
    say: str
    lang: str
    expect: str
    skill: str
    topic: str | None = None
    part: str | None = None
    demo: str | None = None
    family: str | None = None


@dataclass(frozen=True)
class Dialog:
    id: str
    writer: str
    turns: tuple[Turn, ...]


def _turn(raw: dict) -> Turn:
    return Turn(str(raw["say"]), raw["lang"], raw["expect"], raw.get("skill", ""), raw.get("topic"), raw.get("part"),
                raw.get("demo"), raw.get("family"))


def load_dialogs(directory: Path = CONVERSATIONS) -> list[Dialog]:
    out = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for c in data.get("conversations") or ():
            out.append(Dialog(str(c["id"]), str(c["id"]).split("-")[0], tuple(_turn(t) for t in c["turns"])))
    return out


def load_edges(path: Path = EDGES) -> list[Dialog]:
    """Each edge question as a conversation of one turn, its writer "edge" (held out by its own split)."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for i, q in enumerate(data.get("questions") or ()):
        expect = "answer" if q.get("expect") == "answer" else "fallback"
        turn = Turn(str(q["q"]), q["lang"], expect, q.get("kind", "edge"), q.get("topic") if expect == "answer" else None)
        out.append(Dialog(f"edge-{i:04d}", "edge", (turn,)))
    return out


def load_notes() -> tuple[dict, list[Dialog]]:
    """A user's own notes (as `msb index add` would make them) and questions about them, each a conversation
    of one turn: what the policy for answering from a user's documents is fitted on."""
    from knowledge.documents import parse_document

    docs = {}
    for path in sorted(NOTES.glob("*.md")):
        doc_id = f"user:{path.stem}"
        docs[doc_id] = parse_document(doc_id, path.read_text(encoding="utf-8"), path)
    data = yaml.safe_load(NOTES_QUESTIONS.read_text(encoding="utf-8")) or {}
    dialogs = [Dialog(f"notes-{i:04d}", "notes", (Turn(str(q["q"]), q["lang"], q["expect"], "passage", q.get("topic")),))
               for i, q in enumerate(data.get("questions") or ())]
    return docs, dialogs


# Turns whose line names its own subject: what a question about that subject reads like, whatever came before.
FRESH = ("question", "objection", "covered_near", "typo", "traditional", "near_domain", "offtopic", "junk",
         "unknown_terms")


def exemplar_turns(dialogs: list[Dialog]) -> list[tuple[Dialog, Turn]]:
    """The turns that teach what a fresh question about a topic, or one to decline, reads like."""
    return [(d, t) for d in dialogs for t in d.turns
            if t.skill in FRESH and (t.expect == "fallback" or (t.expect == "answer" and t.topic))]


def corpus_key() -> str:
    """What the fitted weights were fitted on: the labelled files' bytes."""
    h = hashlib.sha256()
    for path in [*sorted(CONVERSATIONS.glob("*.yaml")), EDGES, NOTES_QUESTIONS, *sorted(NOTES.glob("*.md"))]:
        if path.exists():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def candidate_matches(turn: Turn, kind: str, topic: str | None, part: str | None, demo: str | None,
                      policy: str) -> bool:
    """Whether a candidate reply does what the turn's label asks."""
    if turn.expect == "fallback":
        return policy == "decline"
    if turn.expect == "smalltalk":
        return kind == "smalltalk"
    if turn.expect == "demo":
        return kind == "demo" and demo == turn.demo
    if turn.expect == "passage":
        return policy == "passage"
    return kind == "answer" and topic == turn.topic and (turn.part is None or part == turn.part)


def reply_lang(text: str) -> str:
    """en | zh | ? by the share of Chinese characters (the rule of the shared scorer, links left out)."""
    text = re.sub(r"https?://\S+|`[^`]*`", " ", text)
    cjk = len(CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if not cjk and not latin:
        return "?"
    return "zh" if cjk >= 0.3 * (cjk + latin / 4) else "en"


def reply_problems(turn: Turn, reply, part: str | None) -> list[str]:
    """What is wrong with a reply to a turn, judged end to end (nothing: it does what the label says)."""
    problems = []
    kind = reply.kind
    if turn.expect == "fallback":
        if kind not in ("fallback", "smalltalk"):
            problems.append(f"expected a decline, got {kind} on {reply.topic}")
    elif turn.expect == "smalltalk":
        if kind not in ("smalltalk", "fallback", "command"):
            problems.append(f"expected small talk, got {kind} on {reply.topic}")
    elif turn.expect == "demo":
        if kind != "demo" or reply.demo != turn.demo:
            problems.append(f"expected demo {turn.demo}, got {kind} {reply.demo or reply.topic}")
    elif turn.expect == "passage":
        if kind != "answer" or not reply.sources or not reply.sources[0].document.startswith("user:"):
            problems.append(f"expected an answer from the user's notes, got {kind} on {reply.topic}")
    else:
        if kind != "answer" or reply.topic != turn.topic:
            problems.append(f"expected {turn.topic}, got {kind} on {reply.topic}")
        elif turn.part is not None and part != turn.part:
            problems.append(f"expected part {turn.part} of {turn.topic}, got {part}")
    got = reply_lang(reply.full_text)
    if got not in ("?", turn.lang):
        problems.append(f"replied in {got}, not {turn.lang}")
    return problems


# Lines that presuppose a history ("you remember", "as I told you"): never in a reply, whose words must hold
# on a first turn as well as later; Ms. B's own "as I said" lines are checked against what was said.
PRESUPPOSING = re.compile(r"you remember|i never told you|as i told you|i've told you|as i showed you|"
                          r"你还记得|还记得你|我说过|我之前确实没告诉你|你当时", re.I)


def whole_problems(reply, said_before: dict[str, list[str]]) -> list[str]:
    """What makes a reply not whole: a lead-in without its body, a list header with nothing under it, a
    line that presupposes a history this conversation does not have."""
    from dialog.lines import catalogue

    text = reply.full_text.strip()
    problems = []
    if not text:
        problems.append("empty reply")
    if text.endswith((":", "：")):
        problems.append("ends on a colon")
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    for i, block in enumerate(blocks):
        last_line = block.splitlines()[-1].strip()
        if last_line.endswith((":", "：")) and not last_line.startswith(("- ", "|", ">")):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else ""
            if not nxt:
                problems.append(f"a lead-in with nothing after it: {last_line[:60]!r}")
    if PRESUPPOSING.search(text):
        problems.append(f"presupposes a history: {PRESUPPOSING.search(text).group(0)!r}")
    lines = catalogue()
    for key, part in (("as_said", None), ("again", "answer")):
        for variant in (*lines[key]["en"], *lines[key]["zh"]):
            if variant in text and reply.topic is not None:
                parts = said_before.get(reply.topic, [])
                if not parts or (part is not None and part not in parts):
                    problems.append(f"says {key!r} of {reply.topic} before saying it")
    return problems
