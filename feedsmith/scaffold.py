"""Start a new feeds site: what ``feedsmith init DIR`` writes.

``init_site(folder, title=..., base_url=..., language=..., force=False)`` writes the files a site
repository starts from and returns their paths:

``feeds.yaml``
    a working config (one ``url:`` source read with a CSS selector, two topics) that lists every
    key of the schema in comments, so a user learns the options where they edit them;
``.gitignore``
    keeps ``public/`` and ``.feedsmith/`` (state database, HTTP cache) out of git;
``.github/workflows/feeds.yml``
    builds every hour and on demand, keeps the state database on a ``feedsmith-state`` branch,
    validates, and deploys ``public/`` to GitHub Pages (the file's comments say why);
``README.md``
    what the repository is, where to subscribe, how it updates.

The texts live in ``feedsmith/scaffold_files/`` (package data) with ``@NAME@`` markers that are
filled in here; they are stored without leading dots because setuptools' ``*`` glob skips dot
files. Nothing is overwritten unless ``force`` is given, and a refusal writes nothing at all.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import yaml

from feedsmith import __version__
from feedsmith.errors import FeedsmithError

# The base_url written when none is given: a valid URL (so the config loads) that is plainly a
# placeholder. The workflow warns while it differs from the address GitHub Pages reports.
PLACEHOLDER_BASE_URL = "https://USER.github.io/REPO/"

# Where each file goes in the new site -> its template in scaffold_files/.
SCAFFOLD_FILES: dict[str, str] = {
    "feeds.yaml": "feeds.yaml",
    ".gitignore": "gitignore",
    ".github/workflows/feeds.yml": "workflow.yml",
    "README.md": "README.md",
}

_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")  # BCP 47, loosely
_MARKER_RE = re.compile(r"@[A-Z_]+@")
_RELEASE_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def init_site(
    folder: Path,
    *,
    title: str = "My feeds",
    base_url: str | None = None,
    language: str = "ar",
    force: bool = False,
) -> list[Path]:
    """Write a new site's files into ``folder`` (created if missing); return the paths written.

    Raises :class:`FeedsmithError`, before writing anything, when an argument is unusable or when
    files exist already and ``force`` is false.
    """
    folder = Path(folder)
    title = " ".join(title.split())  # one line: it becomes a YAML scalar and a Markdown heading
    if not title:
        raise FeedsmithError("the site title must not be empty")
    if base_url is None:
        base_url = PLACEHOLDER_BASE_URL
    base_url = base_url.strip()
    if not re.match(r"^https?://[^/\s]+", base_url) or any(c.isspace() for c in base_url):
        raise FeedsmithError(
            f"base URL must be an absolute http(s) URL such as {PLACEHOLDER_BASE_URL},"
            f" not {base_url!r}"
        )
    if not base_url.endswith("/"):
        base_url += "/"  # feeds live below it, as load_config reads it too
    if not _LANGUAGE_RE.match(language):
        raise FeedsmithError(
            f"language must be a BCP 47 tag such as 'ar' or 'en', not {language!r}"
        )
    if folder.exists() and not folder.is_dir():
        raise FeedsmithError(f"{folder}: exists and is not a folder")

    texts = _render(title=title, base_url=base_url, language=language)

    existing = [name for name in texts if (folder / name).exists() or (folder / name).is_symlink()]
    folders = [name for name in existing if (folder / name).is_dir()]
    if folders:
        raise FeedsmithError(
            f"{folder}: cannot write files where there are folders: {', '.join(folders)}"
        )
    if existing and not force:
        raise FeedsmithError(
            f"{folder}: not overwriting {', '.join(existing)}; nothing was written"
            " (pass --force to overwrite them)"
        )

    written: list[Path] = []
    for name, text in texts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # LF everywhere: git, YAML and the Actions runner all read it, whatever wrote it.
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def feedsmith_requirement(version: str = __version__) -> str:
    """The pip requirement the workflow installs: the release series of ``version``.

    >>> feedsmith_requirement("0.1.0")
    'feedsmith~=0.1.0'
    >>> feedsmith_requirement("1.4")
    'feedsmith~=1.4.0'
    """
    # ~= X.Y.Z takes X.Y's bug fixes but not X.(Y+1), whose feeds.yaml may differ: an unattended
    # hourly job should not change behaviour by itself.
    match = _RELEASE_RE.match(version)
    if not match:
        return "feedsmith"
    major, minor, patch = match.group(1), match.group(2), match.group(3) or "0"
    return f"feedsmith~={major}.{minor}.{patch}"


def _render(*, title: str, base_url: str, language: str) -> dict[str, str]:
    values = {
        "feeds.yaml": {
            "TITLE": _yaml_scalar(title),
            "BASE_URL": _yaml_scalar(base_url),
            "LANGUAGE": _yaml_scalar(language),
        },
        ".gitignore": {},
        ".github/workflows/feeds.yml": {"FEEDSMITH_SPEC": feedsmith_requirement()},
        "README.md": {"TITLE_TEXT": title, "BASE_URL": base_url},
    }
    texts: dict[str, str] = {}
    for name, template in SCAFFOLD_FILES.items():
        text = _template(template)
        for marker, value in values[name].items():
            text = text.replace(f"@{marker}@", value)
        leftover = _MARKER_RE.search(text)
        if leftover:  # a template and this table disagree: a bug here, not the user's
            raise AssertionError(f"scaffold template {template}: {leftover.group()} not filled")
        texts[name] = text
    return texts


def _template(name: str) -> str:
    return resources.files("feedsmith").joinpath("scaffold_files", name).read_text("utf-8")


def _yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"key: {value}") == {"key": value}
    except yaml.YAMLError:
        plain_ok = False
    # JSON strings are valid YAML double-quoted scalars; keep Arabic readable, not \u escapes.
    return value if plain_ok else json.dumps(value, ensure_ascii=False)
