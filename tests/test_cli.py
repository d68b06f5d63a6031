"""The command line as a user meets it: exit codes and the exact messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsmith import __version__
from feedsmith.cli import main

ROOT = Path(__file__).parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled example in a temporary folder."""
    shutil.copy(ROOT / "feeds.yaml", tmp_path / "feeds.yaml")
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    return tmp_path


def test_every_command_has_help() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in main.commands:
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Usage:" in sub.output
        assert main.commands[name].help, f"{name} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"feedsmith, version {__version__}"


def test_split_prints_one_headline_per_line_and_json() -> None:
    strip = "ارتفاع أسعار الخبز في دمشق؟افتتاح مطار حلب أمام الرحلات التجارية"
    runner = CliRunner()
    result = runner.invoke(main, ["split", "-"], input=strip)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "ارتفاع أسعار الخبز في دمشق؟",
        "افتتاح مطار حلب أمام الرحلات التجارية",
    ]
    as_json = runner.invoke(main, ["split", "--json", "-"], input=strip)
    assert json.loads(as_json.output) == result.output.splitlines()


def test_broken_config_exits_2_with_every_problem_and_no_traceback(project: Path) -> None:
    config = project / "feeds.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  language: ar\n", "  langauge: ar\n").replace(
        "slug: politics", "slug: economy"
    )
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--config", str(config)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{config}: 2 problems in the configuration" in result.output
    assert "site.langauge: is not a known key (did you mean 'language'?)" in result.output
    assert "topics[1].slug: 'economy' is used by another topic" in result.output


def test_missing_config_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--config", str(tmp_path / "feeds.yaml")])
    assert result.exit_code == 2
    assert "feeds.yaml: 1 problem in the configuration" in result.output
    assert "file not found" in result.output


def test_build_bundled_example_then_validate(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--config", str(project / "feeds.yaml"), "-q"])
    assert result.exit_code == 0, result.output
    assert (project / "public" / "feeds" / "all.xml").is_file()
    checked = runner.invoke(
        main, ["validate", str(project / "public"), "--config", str(project / "feeds.yaml")]
    )
    assert checked.exit_code == 0, checked.output
    assert "every feed is valid" in checked.output


def test_strict_turns_a_failing_source_into_exit_1(project: Path) -> None:
    config = project / "feeds.yaml"
    (project / "samples" / "home.html").unlink()
    runner = CliRunner()
    relaxed = runner.invoke(main, ["build", "--config", str(config)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "source 'sample-home' failed" in relaxed.output
    strict = runner.invoke(main, ["build", "--config", str(config), "--strict"])
    assert strict.exit_code == 1


def test_output_that_holds_the_project_is_refused(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", "--config", str(project / "feeds.yaml"), "--output", str(project)]
    )
    assert result.exit_code == 2
    assert "--output:" in result.output
    assert "would be replaced whole on every build, and with it the config file" in result.output
    assert (project / "feeds.yaml").is_file() and (project / "samples").is_dir()


def test_revalidate_is_passed_to_the_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feedsmith.build

    passed: list[bool] = []
    real = feedsmith.build.build

    def spy(config, **kwargs):
        passed.append(kwargs["revalidate"])
        return real(config, **kwargs)

    monkeypatch.setattr(feedsmith.build, "build", spy)
    runner = CliRunner()
    config = str(project / "feeds.yaml")
    assert runner.invoke(main, ["build", "--config", config, "-q"]).exit_code == 0
    result = runner.invoke(main, ["build", "--config", config, "-q", "--revalidate"])
    assert result.exit_code == 0, result.output
    assert passed == [False, True]
    assert "--revalidate" in runner.invoke(main, ["build", "--help"]).output
