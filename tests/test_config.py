"""feeds.yaml loading: valid files resolve, broken files report every problem with key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedsmith.config import SITE_KEYS, SOURCE_KEYS, TOPIC_KEYS, load_config
from feedsmith.errors import ConfigError

VALID = """\
site:
  title: أخبار سوريا
  base_url: https://example.github.io/feeds
  language: ar
  output: public
sources:
  - name: sample-ticker
    file: samples/ticker-page.txt
  - name: sample-list
    url: https://news.example/latest
    items: "ul.latest li"
    timezone: Asia/Damascus
topics:
  - slug: economy
    title: اقتصاد
    keywords: [النفط, الغاز, الجمركية]
  - slug: politics
    title: سياسة
    keywords: وزير
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert all(str(path) in line for line in info.value.describe().splitlines())
    return [f"{p.key}: {p.message}" for p in info.value.problems]


def test_valid_config_resolves_paths_and_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.site.base_url == "https://example.github.io/feeds/"
    assert config.site.output == (tmp_path / "public").resolve()
    assert config.site.state == (tmp_path / ".feedsmith/state.sqlite3").resolve()
    assert config.site.author == "أخبار سوريا"
    assert config.sources[0].file == (tmp_path / "samples/ticker-page.txt").resolve()
    assert config.sources[1].items == "ul.latest li"
    assert config.sources[1].timezone == "Asia/Damascus"
    assert config.topics[0].keywords == ("النفط", "الغاز", "الجمركية")
    assert config.topics[1].keywords == ("وزير",)  # one word is a list of one


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site: [", ": is not valid YAML"),
        ("- a\n- b\n", ": must be a mapping with site, sources and topics, not a list"),
        (
            VALID.replace("  language: ar\n", "  langauge: ar\n"),
            "site.langauge: is not a known key (did you mean 'language'?)",
        ),
        (
            VALID.replace("base_url: https://example.github.io/feeds", "base_url: example.org"),
            "site.base_url: must be an absolute http(s) URL, not 'example.org'",
        ),
        (VALID.replace("  title: أخبار سوريا\n", ""), "site.title: is required in site"),
        (
            VALID.replace("    timezone: Asia/Damascus\n", "    timeout: fast\n"),
            "sources[1].timeout: must be a number, not text 'fast'",
        ),
        (
            VALID.replace("    url: https://news.example/latest\n", ""),
            "sources[1]: needs `url` (a page to fetch) or `file` (a local page)",
        ),
        (
            VALID.replace("file: samples/ticker-page.txt", "file: ../outside.txt"),
            "sources[0].file: must stay inside the config file's folder, not '../outside.txt'",
        ),
        (
            VALID.replace("name: sample-list", "name: sample-ticker"),
            "sources[1].name: 'sample-ticker' is used by another source",
        ),
        (
            VALID.replace("timezone: Asia/Damascus", "timezone: Mars/Olympus"),
            "sources[1].timezone: is not a known time zone: 'Mars/Olympus'"
            " (use an IANA name such as Asia/Damascus)",
        ),
        (
            VALID.replace("slug: politics", "slug: economy"),
            "topics[1].slug: 'economy' is used by another topic; two topics would write the"
            " same files",
        ),
        (
            VALID.replace("slug: politics", "slug: ../etc"),
            "topics[1].slug: must be lowercase ASCII letters, digits, '-' or '_' (it names"
            " files), not '../etc'",
        ),
        (VALID.replace("slug: politics", "slug: all"), "topics[1].slug: 'all' is reserved"),
        (
            VALID.replace("keywords: وزير", "keywords: {a: 1}"),
            "topics[1].keywords: must be a list of words (or one word)",
        ),
        (
            VALID.replace("keywords: وزير", "regex: '(unclosed'"),
            "topics[1].regex[0]: is not a valid regular expression",
        ),
        (
            VALID.replace("keywords: وزير", "sources: [nowhere]"),
            "topics[1].sources: names no source: 'nowhere'",
        ),
        (VALID + "extra: 1\n", "extra: is not a known key"),
        (VALID.replace("  output: public\n", "  output: /var/www\n"), "site.output: must be"),
        (
            VALID.replace("  output: public\n", "  output: .\n"),
            "site.output: '.' would be replaced whole on every build, and with it the config file,"
            " the state database, the HTTP cache, the page of source 'sample-ticker';"
            " use a folder of its own such as 'public'",
        ),
        (
            VALID.replace("  output: public\n", "  output: samples\n"),
            "site.output: 'samples' would be replaced whole on every build, and with it the page"
            " of source 'sample-ticker'",
        ),
        (
            VALID.replace("  output: public\n", "  output: ..\\\\www\n"),
            "site.output: must be a relative path with / separators",
        ),
    ],
)
def test_each_problem_has_key_and_words(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert any(line.startswith(expected) or expected in line for line in found), found


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        VALID.replace("  language: ar\n", "  langauge: ar\n")
        .replace("    timezone: Asia/Damascus\n", "    timeout: fast\n")
        .replace("slug: politics", "slug: economy")
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    lines = [p.line for p in info.value.problems]
    assert len(lines) == 3
    assert lines == sorted(lines)
    message = info.value.describe()
    assert message.splitlines()[0] == f"{path}: 3 problems in the configuration"
    assert f"{path}:4: site.langauge: is not a known key" in message
    assert "Traceback" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == [": is empty; it needs site, sources and topics"]


def test_schema_is_documented_in_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for keys in (SITE_KEYS, SOURCE_KEYS, TOPIC_KEYS):
        for name in keys:
            assert f"`{name}`" in readme, f"README does not document the key {name!r}"
