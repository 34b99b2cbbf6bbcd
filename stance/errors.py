"""Errors stance reports to people: one line each, naming the file (and line) at fault."""


class StanceError(Exception):
    """A problem the user can fix; the CLI prints str(error) on one line, never a traceback."""


class UsageError(StanceError):
    """Bad flags or arguments (exit code 2)."""


class InputError(StanceError):
    """An input file that cannot be used."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


def first_line(error: BaseException) -> str:
    """A library error as one line for a message (tracebacks and stack dumps cut off)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
