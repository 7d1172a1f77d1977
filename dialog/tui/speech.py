"""The app's own words around the chat — the prompt's placeholder and the footer's key names — in the
language of the conversation, changed when the conversation changes language."""
from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from dialog.lines import say

# The footer's words by the action a key runs (the actions' names are fixed; their words follow the reader).
FOOTER = {
    "stop_demo": "key.stop_demo",
    "send('/help')": "key.help",
    "lessons": "key.lessons",
    "quit": "key.quit",
    "newline": "key.newline",
    "newest_or_prompt": "key.newest",
}


def placeholder(lang: str) -> str:
    return say("prompt_placeholder", lang)


def name_keys(node: DOMNode, lang: str) -> bool:
    """Give `node`'s own key bindings their words in `lang`; True when any changed (then the footer is
    refreshed by the caller). Bindings are per node, so this changes no other app or screen."""
    changed = False
    for key, bindings in node._bindings.key_to_bindings.items():  # Textual keeps no public setter for this
        for i, binding in enumerate(bindings):
            key_name = FOOTER.get(binding.action)
            if key_name and binding.description != (words := say(key_name, lang)):
                bindings[i] = replace(binding, description=words)
                changed = True
    return changed
