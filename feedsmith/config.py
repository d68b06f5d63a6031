"""Read and check ``feeds.yaml``.

``load_config(path) -> Config`` takes the path of a feeds.yaml and returns the frozen
:class:`~feedsmith.models.Config`, with every path resolved against the file's folder. A file that
cannot be used raises :class:`~feedsmith.errors.ConfigError` carrying *every* problem found, each
with its key path (``sources[2].url``), its line in the file, and what is wrong in words.

The schema is declared once, as data (``SITE_KEYS``, ``SOURCE_KEYS``, ``TOPIC_KEYS``), and README's
reference table is written from the same names.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from feedsmith.errors import ConfigError, ConfigProblem
from feedsmith.models import Config, SiteConfig, SourceConfig, TopicConfig

# Names that end up in file names and URLs: kept to a portable, unsurprising alphabet.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SOURCE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RESERVED_SLUGS = {"all"}


@dataclass(frozen=True)
class Key:
    """One key of the schema: its kind, whether it is required, and what it means (for README)."""

    kind: (
        str  # "str" | "text" | "url" | "path" | "int" | "number" | "bool" | "strings" | "selector"
    )
    required: bool = False
    help: str = ""
    minimum: float | None = None


SITE_KEYS: dict[str, Key] = {
    "title": Key("text", True, "Site title, shown on the index page and as the feeds' title."),
    "base_url": Key("url", True, "Absolute URL where the output folder is served."),
    "language": Key("str", False, "Language of the content (BCP 47, e.g. `ar`); sets RTL."),
    "description": Key("text", False, "One line about the site; the RSS channel description."),
    "output": Key("path", False, "Output folder, relative to feeds.yaml (default `public`)."),
    "templates": Key("path", False, "Folder of templates that override the packaged ones."),
    "state": Key("path", False, "SQLite state file (default `.feedsmith/state.sqlite3`)."),
    "cache": Key("path", False, "HTTP cache folder (default `.feedsmith/cache`)."),
    "max_items": Key("int", False, "Items per feed (default 100).", minimum=1),
    "max_age_days": Key("int", False, "Days an item stays after it was last seen (30).", minimum=1),
    "source_feeds": Key("bool", False, "Also write a feed per source (`feeds/source-NAME.xml`)."),
    "catch_all": Key("str", False, "Slug of a topic that takes items no other topic matched."),
    "icon": Key("str", False, "URL (or path under the site) of a square icon."),
    "logo": Key("str", False, "URL (or path under the site) of a wide logo."),
    "ttl": Key("int", False, "Minutes readers may cache a feed; match the build schedule.", 1),
    "author": Key("text", False, "Feed author (Atom requires one; defaults to the title)."),
    "user_agent": Key("text", False, "User-Agent for requests (default names feedsmith)."),
}

SOURCE_KEYS: dict[str, Key] = {
    "name": Key("str", True, "Unique name: used in logs, state, GUIDs and source feeds."),
    "url": Key("url", False, "Page to fetch (http or https). Give `url` or `file`."),
    "file": Key("path", False, "Local page, relative to feeds.yaml. Give `url` or `file`."),
    "items": Key("selector", False, "CSS selector (or XPath) of the repeated item element."),
    "title": Key("selector", False, "Sub-selector of the title inside an item."),
    "link": Key("selector", False, "Sub-selector of the link inside an item."),
    "summary": Key("selector", False, "Sub-selector of the summary inside an item."),
    "date": Key("selector", False, "Sub-selector of the date inside an item."),
    "image": Key("selector", False, "Sub-selector of the image inside an item."),
    "ticker": Key("selector", False, "Selector of an element holding a glued headline strip."),
    "full_text": Key("bool", False, "Fetch each new item's article and publish its body."),
    "timezone": Key("str", False, "IANA time zone for dates without one (default UTC)."),
    "language": Key("str", False, "Language of this source (default: the site's)."),
    "respect_robots": Key("bool", False, "Honour robots.txt (default true)."),
    "encoding": Key("str", False, "Force a text encoding for a site that mislabels its pages."),
    "timeout": Key("number", False, "Seconds to wait for the server (default 20).", 0.1),
    "delay": Key("number", False, "Seconds between requests to one host (default 1).", 0),
    "page_url": Key("url", False, "For a `file` source: the URL the page stands for."),
}

TOPIC_KEYS: dict[str, Key] = {
    "slug": Key("str", True, "File name of the topic's feeds: `feeds/SLUG.xml`."),
    "title": Key("text", True, "Display title of the topic."),
    "description": Key("text", False, "One line about the topic."),
    "keywords": Key("strings", False, "Any of these words or phrases (Arabic-aware)."),
    "all_of": Key("strings", False, "Every one of these must match too."),
    "exclude": Key("strings", False, "None of these may match."),
    "regex": Key("strings", False, "Regular expressions; any match counts."),
    "sources": Key("strings", False, "Only items of these sources."),
}

TOP_KEYS = {"site", "sources", "topics"}


class _Checker:
    """Walks the YAML node tree, collecting problems with key paths and line numbers."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str, node: yaml.Node | None = None) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(ConfigProblem(key, message, line))

    def mapping(self, node: yaml.Node, key: str, keys: dict[str, Key]) -> dict[str, Any]:
        """Check a mapping against a schema; return the values that are valid."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(key, f"must be a mapping of keys, not {_describe(node)}", node)
            return {}
        values: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            path = f"{key}.{name}" if key else str(name)
            if name is None:
                self.problem(key, "has a key that is not a plain name", key_node)
                continue
            if name in seen:
                self.problem(path, "is given twice", key_node)
                continue
            seen.add(name)
            if name not in keys:
                self.problem(path, f"is not a known key{_suggest(name, keys)}", key_node)
                continue
            value = self.value(value_node, path, keys[name])
            if value is not None:
                values[name] = value
        for name, spec in keys.items():
            if spec.required and name not in seen:
                where = key or "the top level"
                self.problem(f"{key}.{name}" if key else name, f"is required in {where}", node)
        return values

    def value(self, node: yaml.Node, path: str, spec: Key) -> Any:
        data = yaml.safe_load(yaml.serialize(node)) if node is not None else None
        checks: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
            "str": _as_text,
            "text": _as_text,
            "selector": _as_text,
            "path": _as_text,
            "url": _as_text,
            "int": _as_int,
            "number": _as_number,
            "bool": _as_bool,
            "strings": _as_strings,
        }
        value, error = checks[spec.kind](data)
        if error:
            self.problem(path, error, node)
            return None
        if spec.minimum is not None and value < spec.minimum:
            self.problem(path, f"must be at least {spec.minimum:g}, not {value}", node)
            return None
        if spec.kind == "url":
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.problem(path, f"must be an absolute http(s) URL, not {value!r}", node)
                return None
        if spec.kind in ("str", "text", "selector", "path") and not value.strip():
            self.problem(path, "must not be empty", node)
            return None
        return value


def _describe(node: yaml.Node | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    data = yaml.safe_load(yaml.serialize(node))
    if data is None:
        return "an empty value"
    return f"{_type_name(data)} {data!r}"


def _type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _as_text(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None  # `title: 2024` is meant as text
    return None, f"must be text, not {_type_name(value) if value is not None else 'empty'}"


def _as_int(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    return None, f"must be a whole number, not {_type_name(value)} {value!r}"


def _as_number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    return None, f"must be a number, not {_type_name(value)} {value!r}"


def _as_bool(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"must be true or false, not {_type_name(value)} {value!r}"


def _as_strings(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        return (value,), None
    if isinstance(value, list) and all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
    ):
        words = tuple(str(v) for v in value)
        if any(not w.strip() for w in words):
            return None, "must not contain empty entries"
        return words, None
    return None, "must be a list of words (or one word)"


def _suggest(name: str, keys: dict[str, Key]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(keys), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; known keys: {', '.join(sorted(keys))}"


def _relative_path(checker: _Checker, root: Path, value: str, key: str, node: yaml.Node) -> Path:
    """Resolve a path from the config against its folder, refusing ones that leave it."""
    if "\\" in value or PureWindowsPath(value).drive:
        checker.problem(key, f"must be a relative path with / separators, not {value!r}", node)
    elif PurePosixPath(value).is_absolute():
        checker.problem(key, f"must be relative to the config file's folder, not {value!r}", node)
    elif ".." in PurePosixPath(value).parts:
        checker.problem(key, f"must stay inside the config file's folder, not {value!r}", node)
    return (root / value).resolve()


def _find(node: yaml.Node, name: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == name:
                return value_node
    return None


def load_config(path: str | Path) -> Config:
    """Load and check a feeds.yaml; raise ConfigError with every problem found."""
    path = Path(path).absolute()
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, [ConfigProblem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [ConfigProblem("", f"cannot be read: {exc}")]) from None
    try:
        root_node = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, [ConfigProblem("", f"is not valid YAML: {reason}", line)]) from None
    return _build_config(path, root_node)


def _build_config(path: Path, root_node: yaml.Node | None) -> Config:
    checker = _Checker()
    root = path.parent
    if root_node is None:
        raise ConfigError(path, [ConfigProblem("", "is empty; it needs site, sources and topics")])
    if not isinstance(root_node, yaml.MappingNode):
        checker.problem(
            "",
            f"must be a mapping with site, sources and topics, not {_describe(root_node)}",
            root_node,
        )
        raise ConfigError(path, checker.problems)

    for key_node, _ in root_node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value not in TOP_KEYS:
            checker.problem(
                key_node.value,
                "is not a known key"
                + _suggest(key_node.value, dict.fromkeys(TOP_KEYS, Key("str"))),
                key_node,
            )

    site_node = _find(root_node, "site")
    if site_node is None:
        checker.problem("site", "is required", root_node)
        site_values: dict[str, Any] = {}
    else:
        site_values = checker.mapping(site_node, "site", SITE_KEYS)

    sources = _check_sources(checker, root, _find(root_node, "sources"), root_node)
    topics = _check_topics(
        checker, _find(root_node, "topics"), root_node, {s.name for s in sources}
    )

    site = _make_site(checker, root, site_values, site_node, topics)
    if site is not None:
        shown = site_values.get("output", "public")
        for problem in output_problems(path, site, sources, shown):
            checker.problem("site.output", problem, _find(site_node, "output"))
    if checker.problems:
        # Reported in file order, so a user can walk down the file fixing them.
        problems = sorted(checker.problems, key=lambda p: p.line or 0)
        raise ConfigError(path, problems)
    assert site is not None
    return Config(path=path, site=site, sources=tuple(sources), topics=tuple(topics))


def _make_site(
    checker: _Checker,
    root: Path,
    values: dict[str, Any],
    node: yaml.Node | None,
    topics: list[TopicConfig],
) -> SiteConfig | None:
    if "title" not in values or "base_url" not in values:
        return None
    base_url = values["base_url"]
    if not base_url.endswith("/"):
        base_url += "/"  # feeds are served below it: feeds/x.xml must resolve under, not beside
    kwargs: dict[str, Any] = {k: v for k, v in values.items() if k in SITE_KEYS}
    kwargs["base_url"] = base_url
    for key, default in (
        ("output", "public"),
        ("state", ".feedsmith/state.sqlite3"),
        ("cache", ".feedsmith/cache"),
    ):
        value_node = _find(node, key) if node is not None else None
        kwargs[key] = _relative_path(
            checker, root, values.get(key, default), f"site.{key}", value_node
        )
    if "templates" in values:
        folder = _relative_path(
            checker, root, values["templates"], "site.templates", _find(node, "templates")
        )
        if not folder.is_dir():
            checker.problem(
                "site.templates",
                f"folder {values['templates']!r} does not exist",
                _find(node, "templates"),
            )
        kwargs["templates"] = folder
    catch_all = values.get("catch_all")
    if catch_all is not None and catch_all not in {t.slug for t in topics}:
        checker.problem(
            "site.catch_all", f"names no topic: {catch_all!r}", _find(node, "catch_all")
        )
    kwargs.setdefault("author", values["title"])
    return SiteConfig(**kwargs)


def output_problems(
    config_path: Path,
    site: SiteConfig,
    sources: list[SourceConfig] | tuple[SourceConfig, ...],
    shown: str | None = None,
) -> list[str]:
    """Why ``site.output`` may not be used: each build replaces that folder whole, so it must
    not be (or hold) the project's own files. Also checked for ``feedsmith build --output``."""
    output = site.output.resolve()
    kept = {
        "the config file": config_path,
        "the state database": site.state,
        "the HTTP cache": site.cache,
        "the templates folder": site.templates,
    }
    kept.update({f"the page of source {s.name!r}": s.file for s in sources})
    lost = [
        what
        for what, where in kept.items()
        if where is not None and where.resolve().is_relative_to(output)
    ]
    if not lost:
        return []
    return [
        f"{shown or str(site.output)!r} would be replaced whole on every build, and with it "
        + ", ".join(lost)
        + "; use a folder of its own such as 'public'"
    ]


def _list_items(
    checker: _Checker, node: yaml.Node | None, key: str, parent: yaml.Node
) -> list[yaml.Node]:
    if node is None:
        checker.problem(key, "is required: a list", parent)
        return []
    if not isinstance(node, yaml.SequenceNode):
        checker.problem(key, f"must be a list, not {_describe(node)}", node)
        return []
    if not node.value:
        checker.problem(key, "must list at least one entry", node)
    return list(node.value)


def _check_sources(
    checker: _Checker, root: Path, node: yaml.Node | None, parent: yaml.Node
) -> list[SourceConfig]:
    sources: list[SourceConfig] = []
    names: set[str] = set()
    for index, item in enumerate(_list_items(checker, node, "sources", parent)):
        key = f"sources[{index}]"
        values = checker.mapping(item, key, SOURCE_KEYS)
        name = values.get("name")
        if name is not None:
            if not SOURCE_NAME_RE.match(name):
                checker.problem(
                    f"{key}.name",
                    f"must be letters, digits, '-', '_' or '.', not {name!r}",
                    _find(item, "name"),
                )
            elif name in names:
                checker.problem(
                    f"{key}.name", f"{name!r} is used by another source", _find(item, "name")
                )
            names.add(name)
        has_url, has_file = "url" in values, "file" in values
        url_node, file_node = _find(item, "url"), _find(item, "file")
        if isinstance(item, yaml.MappingNode) and url_node is None and file_node is None:
            checker.problem(key, "needs `url` (a page to fetch) or `file` (a local page)", item)
        elif url_node is not None and file_node is not None:
            checker.problem(key, "has both `url` and `file`; give one", item)
        if has_file:
            values["file"] = _relative_path(
                checker, root, values["file"], f"{key}.file", _find(item, "file")
            )
        if "timezone" in values:
            try:
                ZoneInfo(values["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                checker.problem(
                    f"{key}.timezone",
                    f"is not a known time zone: {values['timezone']!r}"
                    " (use an IANA name such as Asia/Damascus)",
                    _find(item, "timezone"),
                )
        if "encoding" in values:
            try:
                codecs.lookup(values["encoding"])
            except LookupError:
                checker.problem(
                    f"{key}.encoding",
                    f"is not a known encoding: {values['encoding']!r}",
                    _find(item, "encoding"),
                )
        for sub in ("title", "link", "summary", "date", "image"):
            if sub in values and "items" not in values:
                checker.problem(
                    f"{key}.{sub}", "only applies together with `items`", _find(item, sub)
                )
        if name is not None and (has_url or has_file) and not (has_url and has_file):
            sources.append(SourceConfig(**values))
    return sources


def _check_topics(
    checker: _Checker, node: yaml.Node | None, parent: yaml.Node, source_names: set[str]
) -> list[TopicConfig]:
    topics: list[TopicConfig] = []
    slugs: set[str] = set()
    for index, item in enumerate(_list_items(checker, node, "topics", parent)):
        key = f"topics[{index}]"
        values = checker.mapping(item, key, TOPIC_KEYS)
        slug = values.get("slug")
        if slug is not None:
            slug_node = _find(item, "slug")
            if not SLUG_RE.match(slug):
                checker.problem(
                    f"{key}.slug",
                    "must be lowercase ASCII letters, digits, '-' or '_' (it names files),"
                    f" not {slug!r}",
                    slug_node,
                )
            elif slug in RESERVED_SLUGS or slug.startswith("source-"):
                checker.problem(
                    f"{key}.slug", f"{slug!r} is reserved for feedsmith's own feeds", slug_node
                )
            elif slug in slugs:
                checker.problem(
                    f"{key}.slug",
                    f"{slug!r} is used by another topic; two topics would write the same files",
                    slug_node,
                )
            slugs.add(slug)
        for index_rx, pattern in enumerate(values.get("regex", ())):
            try:
                re.compile(pattern)
            except re.error as exc:
                checker.problem(
                    f"{key}.regex[{index_rx}]",
                    f"is not a valid regular expression: {exc}",
                    _find(item, "regex"),
                )
        for name in values.get("sources", ()):
            if source_names and name not in source_names:
                checker.problem(
                    f"{key}.sources", f"names no source: {name!r}", _find(item, "sources")
                )
        if "slug" in values and "title" in values:
            topics.append(TopicConfig(**values))
    return topics
