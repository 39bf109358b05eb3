"""One problem type for everything a user can get wrong, printed as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    fatal: bool = False  # the file could not be read as a deal at all and is left out

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message,
                "fatal": self.fatal}
