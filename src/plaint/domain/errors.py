"""The errors the domain raises. Every one carries a message a person can act on."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """Base class: a rule of the domain refused an operation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """A case cannot move from its current status to the requested one."""

    def __init__(self, current: str, target: str, allowed: Iterable[str]) -> None:
        allowed_list = sorted(allowed)
        options = ", ".join(allowed_list) if allowed_list else "none (the status is final)"
        super().__init__(
            f"A case cannot move from '{current}' to '{target}'. From '{current}' it may move to: "
            f"{options}."
        )
        self.current = current
        self.target = target
        self.allowed = tuple(allowed_list)


class FieldErrors(DomainError):
    """One or more input fields are missing or malformed; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        detail = "; ".join(f"{field}: {problem}" for field, problem in sorted(self.errors.items()))
        super().__init__(f"Invalid input ({detail}).")


class MalformedRow(DomainError):
    """A row of an imported file cannot be read as a complaint."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem
