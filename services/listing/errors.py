"""Domain errors of the listing service that name each offending value."""

from __future__ import annotations

from services.runtime.errors import InvalidArgument

# An error reports at most this many field violations, so that its details fit in
# the 8 KiB of response metadata that gRPC clients accept by default (grpcio 1.85).
MAX_REPORTED_VIOLATIONS = 25
# The message repeats this many of them; the details carry the rest.
MAX_VIOLATIONS_IN_MESSAGE = 3


def invalid_ids(summary: str, violations: list[tuple[str, str]]) -> InvalidArgument:
    """Build an INVALID_ARGUMENT error with one field violation per offending id.

    The message starts with `summary`, counts the problems and quotes the first few.
    """
    reported = violations[:MAX_REPORTED_VIOLATIONS]
    quoted = "; ".join(f"{field}: {text}" for field, text in violations[:MAX_VIOLATIONS_IN_MESSAGE])
    count = len(violations)
    message = f"{summary}: {count} problem{'s' if count != 1 else ''}. {quoted}"
    if count > MAX_VIOLATIONS_IN_MESSAGE:
        message += f" (and {count - MAX_VIOLATIONS_IN_MESSAGE} more"
        if count > len(reported):
            message += f", of which the first {len(reported)} are in the error details"
        message += ")"
    return InvalidArgument("invalid_ids", message, field_violations=reported)


def require(field: str, value: str, description: str) -> None:
    """Raise INVALID_ARGUMENT naming `field` when `value` is empty."""
    if not value:
        message = f"{field} is missing; give {description}."
        raise InvalidArgument("missing_field", message, field_violations=[(field, message)])
