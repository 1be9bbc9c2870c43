"""Errors raised by the Kubernetes model.

``ModelError`` is raised when a model function meets a value that the real system could
never hand it (an impossible count, an owner missing from the view it was read from).
The message names the object and the offending values, so a failing exploration points at
the scenario or the caller, not at a stack trace.
"""

from __future__ import annotations

__all__ = ["ModelError", "ManifestError"]


class ModelError(Exception):
    """An impossible value reached a model function; the message names the object and values."""


class ManifestError(ModelError, ValueError):
    """A manifest the API server would reject (or kubecheck cannot model), at one source position.

    ``str(err)`` is one line: ``FILE:LINE: FIELD.PATH: message`` (``FILE:LINE: message`` when no
    field applies, e.g. malformed YAML; ``FILE: message`` when there is no line, e.g. an
    unreadable file). Raised and collected by ``model.manifests``.
    """

    def __init__(self, file: str, line: int | None, field: str | None, message: str, column: int | None = None) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.field = field or None
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        body = f"{self.field}: {self.message}" if self.field else self.message
        return " ".join(f"{where}: {body}".splitlines())

    def __reduce__(self) -> tuple[object, ...]:
        return (ManifestError, (self.file, self.line, self.field, self.message, self.column))
