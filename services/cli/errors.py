"""The one exception type a command raises for an expected failure."""

from __future__ import annotations

# Exit statuses of the command.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# 128 + SIGINT, the status shells report for a program stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An expected failure: the message is printed as it is, without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
