"""The command line: click only. Each command parses options, calls one library function, and
turns feedsmith's exceptions into messages and exit codes.

Exit codes: 0 success; 1 the build or validation failed (or, with ``--strict``, a source failed);
2 the configuration or the command line is wrong.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from pathlib import Path

import click

from feedsmith import __version__
from feedsmith.config import output_problems
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


def _load(config_path: Path):
    from feedsmith.config import load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise ConfigException(exc.describe()) from None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def config_option(help_text: str):
    """The --config option every command that reads feeds.yaml shares."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default="feeds.yaml",
        show_default=True,
        help=help_text,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsmith")
def main() -> None:
    """Turn news pages with no usable feed into RSS, Atom and JSON feeds, one per topic."""


@main.command()
@config_option("The feeds.yaml to build.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: site.output from the config).",
)
@click.option("--strict", is_flag=True, help="Exit with 1 when any source fails.")
@click.option(
    "--revalidate",
    is_flag=True,
    help="Ask again for every page, even those the server said are still fresh.",
)
@click.option("-v", "--verbose", count=True, help="Say what each stage decided.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def build(
    config_path: Path,
    output: Path | None,
    strict: bool,
    revalidate: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """Fetch every source and write the feeds and pages."""
    from feedsmith.build import build as run_build

    _setup_logging(verbose, quiet)
    config = _load(config_path)
    if output is not None:
        site = dataclasses.replace(config.site, output=output.absolute())
        problems = output_problems(config.path, site, config.sources, str(output))
        if problems:
            raise ConfigException(f"--output: {problems[0]}")
    try:
        report = run_build(
            config,
            output=output,
            progress=not quiet and sys.stderr.isatty(),
            revalidate=revalidate,
        )
    except ValidationError as exc:
        raise click.ClickException(
            "refusing to publish feeds that break the formats' rules:\n  "
            + "\n  ".join(exc.problems)
        ) from None
    except FeedsmithError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        # A bug, not bad input: say so in one line; -vv shows where it happened.
        logging.getLogger("feedsmith").debug("build failed", exc_info=True)
        raise click.ClickException(
            f"unexpected error: {type(exc).__name__}: {exc} (nothing was published;"
            " run with -vv for the traceback and report it)"
        ) from None
    if not quiet:
        ok = len(report.sources) - len(report.failed)
        click.echo(
            f"built {report.feeds} feeds from {ok}/{len(report.sources)} sources"
            f" ({report.items} items) into {report.output}"
            f": {_count(report.files_written, 'file')} written,"
            f" {report.files_unchanged} unchanged"
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
    """Split glued headline strips (FILE or - for stdin) into headlines, one per line.

    Each line of the input is split on its own; the whole input serves as context.
    """
    from feedsmith.split import split_headlines

    text = file.read()
    # The rest of the page (an article, other strips) tells which names are words here.
    headlines = split_headlines(text, lang, context=text)
    if as_json:
        click.echo(json.dumps(headlines, ensure_ascii=False, indent=2))
    else:
        for headline in headlines:
            click.echo(headline)


@main.command()
@click.argument(
    "folder", type=click.Path(path_type=Path, file_okay=False, exists=True), required=False
)
@config_option("The feeds.yaml whose base_url the feeds must use.")
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


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", default="My feeds", show_default=True, help="Site title.")
@click.option(
    "--base-url",
    default=None,
    help="Where the site will be served, e.g. https://USER.github.io/REPO/.",
)
@click.option("--language", default="ar", show_default=True, help="Language of the content.")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def init(folder: Path, title: str, base_url: str | None, language: str, force: bool) -> None:
    """Scaffold a new feeds site: feeds.yaml, .gitignore and a GitHub Pages workflow."""
    from feedsmith.scaffold import PLACEHOLDER_BASE_URL, init_site

    try:
        written = init_site(folder, title=title, base_url=base_url, language=language, force=force)
    except FeedsmithError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
    if base_url is None:
        click.echo(
            f"base_url is the placeholder {PLACEHOLDER_BASE_URL}: set it in feeds.yaml to the"
            " address GitHub Pages will serve the site at"
        )


@main.command()
@config_option("The feeds.yaml whose output folder and base_url to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(config_path: Path, host: str, port: int) -> None:
    """Preview the built site on this machine, at the paths it will have when published."""
    from feedsmith.serve import serve as run_server

    config = _load(config_path)
    try:
        run_server(config.site.output, base_url=config.site.base_url, host=host, port=port)
    except FeedsmithError as exc:
        raise click.ClickException(str(exc)) from None
