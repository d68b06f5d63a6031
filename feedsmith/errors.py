"""The exceptions feedsmith raises. The CLI maps them to exit codes and messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class FeedsmithError(Exception):
    """Base of every error feedsmith raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a config file: where (a key path: ``sources[2].url``) and what."""

    key: str
    message: str
    line: int | None = None

    def describe(self, path: Path | str) -> str:
        where = f"{path}:{self.line}" if self.line else str(path)
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigError(FeedsmithError):
    """A config file that cannot be used. Carries every problem found, not just the first."""

    def __init__(self, path: Path | str, problems: list[ConfigProblem]):
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [problem.describe(self.path) for problem in self.problems]
        count = len(self.problems)
        head = f"{self.path}: {count} problem{'s' if count != 1 else ''} in the configuration"
        return "\n".join([head, *("  " + line for line in lines)])


class FetchError(FeedsmithError):
    """A source that could not be fetched: names the URL (or file) and the reason."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class ExtractError(FeedsmithError):
    """A page that was fetched but could not be read as HTML or text."""


class ValidationError(FeedsmithError):
    """Built feeds that break the formats' rules; carries one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class BuildError(FeedsmithError):
    """A build that could not finish (nothing was published)."""
