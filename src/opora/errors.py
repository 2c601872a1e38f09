"""Domain errors: raised by services, shown to users as they are (in Russian)."""


class DomainError(Exception):
    """A use case refused its input. ``message`` is for the user; ``field`` names the input."""

    def __init__(self, message, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError):
    """The acting user may not do this to this object."""


class NotFound(DomainError):
    """The object does not exist or is outside the user's scope (never tell which)."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action."""


class ValidationFailed(DomainError):
    """Input does not satisfy a rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "__all__": [errors]}
        self.errors = errors
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)


class Throttled(DomainError):
    """The acting user made too many attempts of this kind lately; try again later."""
