"""The app's own words around the chat — the prompt's placeholder and the footer's key names — in the
language of the conversation, changed when the conversation changes language."""
from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from knowledge.lang import pick

PLACEHOLDER = ("Ask Ms. B… (/help for commands, ctrl+p for the palette)", "问 B 女士……（/help 查看命令，ctrl+p 打开命令面板）")
# The footer's words by the action a key runs (the actions' names are fixed; their words follow the reader).
FOOTER = {
    "stop_demo": ("Stop demo", "停止演示"),
    "send('/help')": ("Help", "帮助"),
    "lessons": ("Lessons", "课程"),
    "quit": ("Quit", "退出"),
    "newline": ("New line", "换行"),
}


def placeholder(lang: str) -> str:
    return pick(lang, *PLACEHOLDER)


def name_keys(node: DOMNode, lang: str) -> bool:
    """Give `node`'s own key bindings their words in `lang`; True when any changed (then the footer is
    refreshed by the caller). Bindings are per node, so this changes no other app or screen."""
    changed = False
    for key, bindings in node._bindings.key_to_bindings.items():  # Textual keeps no public setter for this
        for i, binding in enumerate(bindings):
            words = FOOTER.get(binding.action)
            if words and binding.description != pick(lang, *words):
                bindings[i] = replace(binding, description=pick(lang, *words))
                changed = True
    return changed
