"""Errors whose message is shown to the user as is (distinct from bugs): the conversation's own, and the
ones each layer below raises. The edges (the engine's reply, the command line) catch USER_ERRORS."""
from demos.errors import DemoError
from knowledge.errors import KnowledgeError


class UserError(Exception):
    """A problem the user can fix in the conversation: a bad command, a path that can't be saved to."""


USER_ERRORS = (UserError, DemoError, KnowledgeError)
