"""Tests for feedsmith.site.write_site: atomic swaps, kept mtimes, removals, refused paths."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from feedsmith.errors import FeedsmithError
from feedsmith.site import SiteWriteReport, write_site

OLD_TIME = 1_600_000_000  # 2020-09-13: far enough back that a rewrite is obvious


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def siblings(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.parent.iterdir())


@pytest.fixture
def public(tmp_path: Path) -> Path:
    """A previous build, with old mtimes."""
    output = tmp_path / "public"
    write_site(
        output,
        {
            "index.html": b"<p>old</p>",
            "feeds/all.xml": b"<rss/>",
            "feeds/gone.xml": b"<rss>gone</rss>",
            "stale/page.html": b"stale",
        },
    )
    for path in output.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD_TIME, OLD_TIME))
    return output


def test_first_write_creates_the_folder(tmp_path: Path) -> None:
    output = tmp_path / "deep" / "public"
    report = write_site(output, {"index.html": b"hi", "feeds/all.xml": b"<rss/>", ".nojekyll": b""})
    assert report == SiteWriteReport(written=3, unchanged=0, removed=0)
    assert snapshot(output) == {".nojekyll": b"", "feeds/all.xml": b"<rss/>", "index.html": b"hi"}
    assert siblings(output) == ["public"]


def test_rewrite_keeps_unchanged_files_and_removes_old_ones(public: Path) -> None:
    report = write_site(
        public,
        {"index.html": b"<p>new</p>", "feeds/all.xml": b"<rss/>", "feeds/new.atom": b"<feed/>"},
    )
    assert report == SiteWriteReport(written=2, unchanged=1, removed=2)
    assert report.total == 3
    assert snapshot(public) == {
        "feeds/all.xml": b"<rss/>",
        "feeds/new.atom": b"<feed/>",
        "index.html": b"<p>new</p>",
    }
    assert (public / "feeds/all.xml").stat().st_mtime == OLD_TIME
    assert (public / "index.html").stat().st_mtime > OLD_TIME
    assert not (public / "stale").exists()
    assert siblings(public) == ["public"]  # no temporary or old folder left behind


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    # A web server runs as another user; a 0700 temporary folder swapped in would lock it out.
    output = tmp_path / "public"
    write_site(output, {"feeds/all.xml": b"x"})
    umask = os.umask(0)
    os.umask(umask)
    assert output.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (output / "feeds").stat().st_mode & 0o777 == 0o777 & ~umask


class ExplodingFiles(Mapping[str, bytes]):
    """A mapping whose iteration fails halfway, as a renderer crashing mid-site would."""

    def __init__(self, good: dict[str, bytes]):
        self.good = good

    def __getitem__(self, key: str) -> bytes:
        return self.good[key]

    def __len__(self) -> int:
        return len(self.good) + 1

    def __iter__(self) -> Iterator[str]:
        yield from self.good
        raise RuntimeError("renderer crashed")


def test_failure_mid_write_leaves_the_old_site_untouched(public: Path) -> None:
    before = snapshot(public)
    files = ExplodingFiles({"index.html": b"<p>new</p>", "feeds/all.xml": b"<rss/>"})
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_site(public, files)
    assert snapshot(public) == before
    assert (public / "index.html").stat().st_mtime == OLD_TIME
    assert siblings(public) == ["public"]


@pytest.mark.parametrize(
    "path",
    [
        "../escape.html",
        "feeds/../../escape.html",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "c:escape",
        "feeds\\all.xml",
        "feeds//all.xml",
        "./index.html",
        "",
        "feeds/",
        "nul\0byte",
    ],
)
def test_paths_that_escape_are_refused(public: Path, path: str) -> None:
    before = snapshot(public)
    with pytest.raises(FeedsmithError, match="refusing"):
        write_site(public, {"index.html": b"new", path: b"x"})
    assert snapshot(public) == before
    assert siblings(public) == ["public"]
    assert not (public.parent / "escape.html").exists()


def test_a_file_and_a_folder_with_one_name_are_refused(tmp_path: Path) -> None:
    output = tmp_path / "public"
    with pytest.raises(FeedsmithError, match="feeds"):
        write_site(output, {"feeds": b"x", "feeds/all.xml": b"y"})
    assert not output.exists()
    assert siblings(output) == []


def test_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FeedsmithError, match="twice"):
        write_site(tmp_path / "public", {"Index.html": b"a", "index.html": b"b"})


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    output = tmp_path / "public"
    output.write_text("not a folder")
    with pytest.raises(FeedsmithError, match="not a folder"):
        write_site(output, {"index.html": b"x"})
    assert output.read_text() == "not a folder"


def test_writing_the_same_site_twice_changes_nothing(public: Path) -> None:
    files = snapshot(public)
    report = write_site(public, files)
    assert report == SiteWriteReport(written=0, unchanged=4, removed=0)
    assert all(path.stat().st_mtime == OLD_TIME for path in public.rglob("*") if path.is_file())


def test_a_symlinked_output_keeps_its_link(tmp_path: Path) -> None:
    real = tmp_path / "www"
    write_site(real, {"index.html": b"old"})
    link = tmp_path / "public"
    link.symlink_to(real, target_is_directory=True)
    write_site(link, {"index.html": b"new"})
    assert link.is_symlink() and (link / "index.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "www"]
