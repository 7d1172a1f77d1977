"""Every fact the two documents state is within Ms. B's reach: each sentence is mapped to the entry part that
carries it (its key words in that part's text) or marked as stating none, with a reason."""
from __future__ import annotations

import collections
import re
from pathlib import Path

import yaml

from knowledge.documents import DOCUMENTS_DIR
from knowledge.entries import load_entries

FACTS = Path(__file__).resolve().parents[1] / "data" / "document_facts.yaml"
END = re.compile(r"(?<=[。！？])(?![」”』）)。！？])")


def sentences(path: Path) -> list[str]:
    """A sentence ends at 。！？ (closing quotes stay with it) or a line break; a heading or a list item is one."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        s = raw.strip()
        whole = bool(re.match(r"^#+\s", s))
        s = re.sub(r"^#+\s*", "", s)
        while s.startswith(">"):
            s = s[1:].strip()
        m = re.match(r"^[*\-]\s+", s)
        if m:
            s, whole = s[m.end():], True
        s = s.strip()
        for w in ("**", "*"):
            inner = s[len(w):-len(w)]
            if len(s) > 2 * len(w) and s.startswith(w) and s.endswith(w) and \
                    (w == "**" and "**" not in inner or w == "*" and "*" not in inner.replace("**", "")):
                s = inner.strip()
                break
        if s:
            out += [s] if whole else [p.strip() for p in END.split(s) if p.strip()]
    return out


def facts() -> list[dict]:
    return yaml.safe_load(FACTS.read_text(encoding="utf-8"))["facts"]


def test_every_sentence_of_the_documents_is_accounted_for():
    for doc in ("conversation", "weird-introduction"):
        want = collections.Counter(sentences(DOCUMENTS_DIR / f"{doc}.md"))
        have = collections.Counter(f["sentence"] for f in facts() if f["doc"] == doc)
        assert not want - have, f"{doc}: sentences not in {FACTS.name}: {list(want - have)[:5]}"
        assert not have - want, f"{doc}: {FACTS.name} lists sentences the document lacks: {list(have - want)[:5]}"


def test_every_fact_is_carried_by_the_entry_part_named():
    entries = {e.id: e for e in load_entries()}
    uncovered = []
    for f in facts():
        if f["status"] == "not_a_fact":
            assert f.get("reason"), f"no reason given: {f['sentence']!r}"
            continue
        assert f["status"] == "covered", f"a fact no entry carries: {f['sentence']!r}"
        e = entries[f["entry"]]
        part = f["part"]
        value = e.answer if part == "answer" else e.layers.get(part) or e.facts.get(part)
        text = " ".join(f"{value['en']} {value['zh']}".split()).lower() if value else ""
        if str(f["key"]).lower() not in text:
            uncovered.append(f"{f['entry']}.{part} lacks {f['key']!r} ({f['sentence'][:40]})")
    assert not uncovered, uncovered[:10]
