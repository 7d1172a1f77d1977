"""The knowledge layer's user-facing error: its message is shown as is (a bad entry file, an unreadable document)."""


class KnowledgeError(Exception):
    """A problem the user can fix, named with the file (and line) it is in."""
