"""The one error the journal raises: a message a person (or a model) can act on."""

from __future__ import annotations


class JournalError(ValueError):
    """Bad input or an unusable store; `hint` says what to do. The tools layer turns it into a ToolError."""

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field
