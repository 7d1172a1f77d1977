"""The demos' user-facing error: a bad option, an unknown demo, a device that isn't there. Shown as is."""


class DemoError(Exception):
    """A problem the user can fix; the message says which option or name, and what is allowed."""
