"""Errors whose message is shown to the user as is (distinct from bugs)."""


class UserError(Exception):
    """A problem the user can fix: a bad option, an unknown demo, an unreadable file."""
