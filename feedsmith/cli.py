"""The command line: click only. Each command parses options, calls one library function, and
turns feedsmith's exceptions into messages and exit codes.

Exit codes: 0 success; 1 the build or validation failed (or, with ``--strict``, a source failed);
2 the configuration or the command line is wrong.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from feedsmith import __version__
from feedsmith.errors import ConfigError, FeedsmithError, ValidationError

EXIT_FAILED = 1
EXIT_CONFIG = 2


class ConfigException(click.ClickException):
    """A configuration error: exit code 2, like click's own usage errors."""

    exit_code = EXIT_CONFIG


def _setup_logging(verbose: int, quiet: bool) -> None:
    # Warnings (a failing source, a selector that stopped matching) show by default.
    levels = {0: logging.WARNING, 1: logging.INFO}
    level = logging.ERROR if quiet else levels.get(verbose, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("feedsmith")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _load(config_path: Path):
    from feedsmith.config import load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise ConfigException(exc.describe()) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsmith")
def main() -> None:
    """Turn news pages with no usable feed into RSS, Atom and JSON feeds, one per topic."""


@main.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="feeds.yaml",
    show_default=True,
    help="The feeds.yaml to build.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: site.output from the config).",
)
@click.option("--strict", is_flag=True, help="Exit with 1 when any source fails.")
@click.option("-v", "--verbose", count=True, help="Say what each stage decided.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def build(config_path: Path, output: Path | None, strict: bool, verbose: int, quiet: bool) -> None:
    """Fetch every source and write the feeds and pages."""
    from feedsmith.build import build as run_build

    _setup_logging(verbose, quiet)
    config = _load(config_path)
    try:
        report = run_build(config, output=output, progress=not quiet and sys.stderr.isatty())
    except ValidationError as exc:
        raise click.ClickException(
            "refusing to publish feeds that break the formats' rules:\n  "
            + "\n  ".join(exc.problems)
        ) from None
    except FeedsmithError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        ok = len(report.sources) - len(report.failed)
        click.echo(
            f"built {report.feeds} feeds from {ok}/{len(report.sources)} sources"
            f" ({report.items} items) into {report.output}"
            f": {report.files_written} files written, {report.files_unchanged} unchanged"
        )
        for failed in report.failed:
            click.echo(f"  source {failed.name!r} failed: {failed.error}", err=True)
    if strict and report.failed:
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--lang", default=None, help="Language of the strip (default: guessed).")
def split(file, as_json: bool, lang: str | None) -> None:
    """Split a glued headline strip (FILE or - for stdin) into headlines, one per line."""
    from feedsmith.split import split_headlines

    headlines = split_headlines(file.read(), lang)
    if as_json:
        click.echo(json.dumps(headlines, ensure_ascii=False, indent=2))
    else:
        for headline in headlines:
            click.echo(headline)


@main.command()
@click.argument(
    "folder", type=click.Path(path_type=Path, file_okay=False, exists=True), required=False
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="feeds.yaml",
    show_default=True,
    help="The feeds.yaml whose base_url the feeds must use.",
)
def validate(folder: Path | None, config_path: Path) -> None:
    """Check built feeds offline (default folder: site.output from the config)."""
    from feedsmith.validate import validate_site

    config = _load(config_path)
    folder = folder or config.site.output
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no such folder; run `feedsmith build` first")
    problems = validate_site(folder, base_url=config.site.base_url)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(problems)} problems in {folder}")
    click.echo(f"{folder}: every feed is valid")
