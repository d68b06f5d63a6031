"""Writes the rendered site to the output folder, atomically.

``write_site(output, files)`` takes the folder and ``{relative POSIX path: bytes}`` (what
``feedsmith.render.render_site`` returns) and returns a ``SiteWriteReport``. Everything is written
into a temporary sibling folder first and then swapped in with two renames, so a web server or a
Pages upload never sees half a site, and a failure before the swap leaves the previous folder
exactly as it was. A file whose bytes did not change is carried over with its old mtime, so
rsync-style deploys and HTTP Last-Modified headers see only real changes.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from feedsmith.errors import FeedsmithError

logger = logging.getLogger(__name__)

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class SiteWriteReport:
    """What a write changed: files written anew, files carried over unchanged, files removed."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        """How many files the output folder holds now."""
        return self.written + self.unchanged


def safe_parts(path: str) -> tuple[str, ...]:
    """The segments of a relative POSIX path, or FeedsmithError if it could leave the folder.

    >>> safe_parts("feeds/all.xml")
    ('feeds', 'all.xml')
    """
    if not isinstance(path, str) or not path:
        raise FeedsmithError(f"refusing to write an empty or non-text path: {path!r}")
    if "\\" in path or "\0" in path:
        raise FeedsmithError(f"refusing to write {path!r}: backslashes and NUL are not allowed")
    if path.startswith("/") or _DRIVE.match(path):
        raise FeedsmithError(f"refusing to write {path!r}: the path is absolute")
    parts = tuple(path.split("/"))
    if any(part in ("", ".", "..") for part in parts):
        raise FeedsmithError(f"refusing to write {path!r}: it must not contain '', '.' or '..'")
    return parts


def _existing_files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return (
            path.is_file()
            and not path.is_symlink()
            and path.stat().st_size == len(data)
            and path.read_bytes() == data
        )
    except OSError:
        return False


def _carry_over(old: Path, new: Path) -> None:
    """Give ``new`` the old file's bytes and mtime: a hard link, or a copy where links fail."""
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


def write_site(output: Path, files: Mapping[str, bytes]) -> SiteWriteReport:
    """Replace ``output`` with exactly ``files``; return what changed."""
    output = Path(output).absolute()
    if output.is_symlink():
        # Swap the real folder, so a link such as public -> /var/www/site keeps working.
        output = output.resolve()
    if output.exists() and not output.is_dir():
        raise FeedsmithError(f"{output} exists and is not a folder")
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    staging = parent / f".{output.name}.new-{token}"
    # os.mkdir, not tempfile.mkdtemp: mkdtemp makes the folder 0700, which a web server serving
    # the swapped-in folder could not read. mkdir follows the umask like any other folder.
    staging.mkdir()
    try:
        written = unchanged = 0
        targets: set[str] = set()
        kept: set[str] = set()
        for path, data in files.items():
            parts = safe_parts(path)
            key = "/".join(parts)
            if key.casefold() in targets:
                # Also catches two names that differ only in case (one file on macOS/Windows).
                raise FeedsmithError(f"refusing to write {path!r} twice")
            targets.add(key.casefold())
            kept.add(key)
            destination = staging.joinpath(*parts)
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                previous = output.joinpath(*parts)
                if _same_bytes(previous, data):
                    _carry_over(previous, destination)
                    unchanged += 1
                else:
                    destination.write_bytes(data)
                    written += 1
            except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
                raise FeedsmithError(
                    f"cannot write {path!r}: a file and a folder share that name ({error})"
                ) from error
        removed = len(_existing_files(output) - kept)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, output, token)
    logger.debug(
        "wrote %s: %d written, %d unchanged, %d removed", output, written, unchanged, removed
    )
    return SiteWriteReport(written=written, unchanged=unchanged, removed=removed)


def _swap(staging: Path, output: Path, token: str) -> None:
    """Put ``staging`` where ``output`` is: rename the old folder aside, rename the new one in,
    then delete the old one. Between the two renames the output is briefly missing, never mixed."""
    if not output.exists():
        try:
            staging.rename(output)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise FeedsmithError(f"could not move the new site into {output}: {error}") from error
        return
    aside = output.parent / f".{output.name}.old-{token}"
    try:
        output.rename(aside)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise FeedsmithError(f"could not move {output} aside: {error}") from error
    try:
        staging.rename(output)
    except OSError as error:
        aside.rename(output)  # put the previous site back
        shutil.rmtree(staging, ignore_errors=True)
        raise FeedsmithError(f"could not move the new site into {output}: {error}") from error
    shutil.rmtree(aside, ignore_errors=True)
