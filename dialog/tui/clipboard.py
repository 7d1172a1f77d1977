"""Copying a message: the system clipboard where there is one, the terminal's (OSC 52) always."""
from __future__ import annotations

from textual.app import App



def system_copy(text: str) -> bool:
    """True when pyperclip reached a clipboard. It shells out to xclip / wl-copy / pbcopy,
    which may be missing (a server, a container) or fail without a display."""
    try:
        import pyperclip

        pyperclip.copy(text)
        return True
    except Exception:  # PyperclipException, a missing binary, a dead display: all mean "none here"
        return False


def copy_text(app: App, text: str) -> None:
    """Copy without blocking the screen (pyperclip may start a process) and say what happened."""
    app.copy_to_clipboard(text)  # OSC 52: instant, harmless where unsupported

    from dialog.lines import say

    lang = app.current_lang() if hasattr(app, "current_lang") else "en"

    def work() -> None:
        ok = system_copy(text)
        app.call_from_thread(app.notify, say("copied" if ok else "copied_terminal_only", lang),
                             severity="information" if ok else "warning", markup=False)

    app.run_worker(work, thread=True, group="clipboard", exit_on_error=False)
