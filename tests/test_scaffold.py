"""feedsmith init: the files it writes, that they are a real config and a sound workflow, and that
it never overwrites anything unless told to."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from feedsmith.config import SITE_KEYS, SOURCE_KEYS, TOPIC_KEYS, load_config
from feedsmith.errors import FeedsmithError
from feedsmith.scaffold import (
    PLACEHOLDER_BASE_URL,
    SCAFFOLD_FILES,
    feedsmith_requirement,
    init_site,
)

EXPECTED = ["feeds.yaml", ".gitignore", ".github/workflows/feeds.yml", "README.md"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def workflow(folder: Path) -> dict[Any, Any]:
    return yaml.safe_load((folder / ".github/workflows/feeds.yml").read_text(encoding="utf-8"))


def test_init_writes_the_files_and_returns_them(tmp_path: Path) -> None:
    site = tmp_path / "new" / "site"  # missing parents are created
    written = init_site(site, title="أخبار", base_url="https://me.github.io/news")
    assert written == [site / name for name in EXPECTED]
    assert sorted(snapshot(site)) == sorted(EXPECTED)
    assert list(SCAFFOLD_FILES) == EXPECTED
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "\r" not in text
        assert not re.search(r"@[A-Z_]+@", text), f"{path.name}: a marker was not filled in"


def test_feeds_yaml_is_a_working_config(tmp_path: Path) -> None:
    init_site(tmp_path, title="أخبار سوريا", base_url="https://me.github.io/news", language="ar")
    config = load_config(tmp_path / "feeds.yaml")
    assert config.site.title == "أخبار سوريا"
    assert config.site.base_url == "https://me.github.io/news/"
    assert config.site.language == "ar"
    assert config.site.ttl == 60  # the workflow's hourly schedule
    assert config.site.output == (tmp_path / "public").resolve()
    assert config.site.state == (tmp_path / ".feedsmith/state.sqlite3").resolve()
    [source] = config.sources
    assert source.url and source.url.startswith("https://")
    assert source.items == "article" and source.url.startswith("https://")
    assert [t.slug for t in config.topics] == ["economy", "sports"]
    assert all(t.keywords for t in config.topics)


def test_feeds_yaml_documents_every_key_of_the_schema(tmp_path: Path) -> None:
    # Adding a key to config.py without showing it in the template fails here.
    init_site(tmp_path)
    text = (tmp_path / "feeds.yaml").read_text(encoding="utf-8")
    for section, keys in (("site", SITE_KEYS), ("sources", SOURCE_KEYS), ("topics", TOPIC_KEYS)):
        for key in keys:
            assert re.search(rf"^\s*(#\s*)?(- )?{key}:", text, re.M), f"{section}.{key} missing"


@pytest.mark.parametrize(
    "title",
    ['أخبار: "عاجل" #1', "yes", "2024", "- dash", "[brackets]", "a: b", "  spaced   out  "],
)
def test_titles_that_need_quoting_read_back_unchanged(tmp_path: Path, title: str) -> None:
    init_site(tmp_path, title=title)
    assert load_config(tmp_path / "feeds.yaml").site.title == " ".join(title.split())


def test_without_base_url_a_placeholder_is_written(tmp_path: Path) -> None:
    init_site(tmp_path, language="en")
    config = load_config(tmp_path / "feeds.yaml")
    assert config.site.base_url == PLACEHOLDER_BASE_URL
    assert config.site.language == "en"
    assert config.site.title == "My feeds"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "title must not be empty"),
        ({"base_url": "me.github.io/news"}, "absolute http(s) URL"),
        ({"base_url": "ftp://me.github.io/"}, "absolute http(s) URL"),
        ({"language": "arabic language"}, "BCP 47"),
    ],
)
def test_unusable_arguments_are_refused_before_writing(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(FeedsmithError, match=re.escape(message)):
        init_site(tmp_path / "site", **kwargs)
    assert not (tmp_path / "site").exists()


def test_rerun_refuses_names_the_files_and_changes_nothing(tmp_path: Path) -> None:
    init_site(tmp_path, title="first")
    (tmp_path / "feeds.yaml").write_text("my edits\n", encoding="utf-8")
    (tmp_path / "README.md").unlink()  # one missing file is not written either
    before = snapshot(tmp_path)
    with pytest.raises(FeedsmithError) as info:
        init_site(tmp_path, title="second")
    message = str(info.value)
    assert "not overwriting feeds.yaml, .gitignore, .github/workflows/feeds.yml" in message
    assert "nothing was written" in message
    assert "--force" in message
    assert snapshot(tmp_path) == before


def test_force_overwrites(tmp_path: Path) -> None:
    init_site(tmp_path, title="first")
    (tmp_path / "feeds.yaml").write_text("my edits\n", encoding="utf-8")
    written = init_site(tmp_path, title="second", force=True)
    assert written == [tmp_path / name for name in EXPECTED]
    assert load_config(tmp_path / "feeds.yaml").site.title == "second"


def test_a_folder_in_the_way_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").mkdir()
    with pytest.raises(FeedsmithError, match=re.escape("folders: feeds.yaml")):
        init_site(tmp_path, force=True)
    assert not (tmp_path / ".gitignore").exists()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("", encoding="utf-8")
    with pytest.raises(FeedsmithError, match="not a folder"):
        init_site(tmp_path / "site")


def test_gitignore_keeps_build_output_state_and_cache_out(tmp_path: Path) -> None:
    init_site(tmp_path)
    lines = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    rules = {line for line in lines if line and not line.startswith("#")}
    # The state is not tracked on main: the workflow keeps it on the feedsmith-state branch.
    assert {"/public/", "/.feedsmith/", ".venv/"} <= rules


def test_workflow_triggers_permissions_and_concurrency(tmp_path: Path) -> None:
    init_site(tmp_path)
    flow = workflow(tmp_path)
    # YAML 1.1 reads the key `on` as true; GitHub reads it as "on".
    triggers = flow[True]
    assert "on" not in flow
    [schedule] = triggers["schedule"]
    assert re.fullmatch(r"\d{1,2} \* \* \* \*", schedule["cron"])  # hourly, as ttl: 60 says
    assert "workflow_dispatch" in triggers
    assert flow["permissions"] == {}  # nothing by default: each job asks for its own
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "write", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert flow["env"]["FEEDSMITH_SPEC"] == feedsmith_requirement()


def step_index(steps: list[dict[str, Any]], predicate: Any, what: str) -> int:
    matches = [i for i, step in enumerate(steps) if predicate(step)]
    assert len(matches) == 1, f"expected one step that {what}, found {len(matches)}"
    return matches[0]


def uses(action: str) -> Any:
    return lambda step: step.get("uses", "").split("@")[0] == action


def runs(command: str) -> Any:
    return lambda step: command in step.get("run", "")


def test_workflow_steps_in_order(tmp_path: Path) -> None:
    init_site(tmp_path)
    flow = workflow(tmp_path)
    steps = flow["jobs"]["build"]["steps"]
    order = [
        step_index(steps, uses("actions/checkout"), "checks out"),
        step_index(steps, uses("actions/setup-python"), "sets up Python"),
        step_index(steps, runs('pip install "$FEEDSMITH_SPEC"'), "installs feedsmith"),
        step_index(steps, runs("git fetch --depth=1 origin"), "restores the state"),
        step_index(steps, uses("actions/cache"), "restores the HTTP cache"),
        step_index(steps, runs("feedsmith build"), "builds"),
        step_index(steps, runs("git push"), "commits the state"),
        step_index(steps, runs("feedsmith validate"), "validates"),
        step_index(steps, uses("actions/configure-pages"), "configures Pages"),
        step_index(steps, uses("actions/upload-pages-artifact"), "uploads the site"),
    ]
    assert order == sorted(order)
    setup_python = steps[order[1]]
    assert setup_python["with"]["python-version"] == "3.12"
    assert "--strict" not in steps[order[5]]["run"]  # a failing source must not block publishing
    assert "[skip ci]" in steps[order[6]]["run"]
    assert steps[order[9]]["with"] == {"path": "public"}
    assert "public" in steps[order[5]]["run"] and "public" in steps[order[7]]["run"]

    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "steps.deployment.outputs.page_url" in deploy["environment"]["url"]
    [deploy_step] = deploy["steps"]
    assert deploy_step["uses"].split("@")[0] == "actions/deploy-pages"
    assert deploy_step["id"] == "deployment"


def test_workflow_actions_are_pinned_to_a_major_version(tmp_path: Path) -> None:
    init_site(tmp_path)
    flow = workflow(tmp_path)
    actions = [
        step["uses"] for job in flow["jobs"].values() for step in job["steps"] if "uses" in step
    ]
    assert len(actions) == 6
    for action in actions:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", action), action


def test_workflow_state_paths_come_from_feeds_yaml(tmp_path: Path) -> None:
    # The workflow reads site.state and site.cache from the config rather than repeating them,
    # so a user who moves them does not have to edit the workflow too.
    init_site(tmp_path)
    text = (tmp_path / ".github/workflows/feeds.yml").read_text(encoding="utf-8")
    assert "load_config(" in text
    assert "$STATE_FILE" in text and "env.HTTP_CACHE" in text
    assert ".feedsmith/" not in text


@pytest.mark.parametrize(
    ("version", "spec"),
    [("0.1.0", "feedsmith~=0.1.0"), ("1.4", "feedsmith~=1.4.0"), ("2.0.3rc1", "feedsmith~=2.0.3")],
)
def test_feedsmith_requirement(version: str, spec: str) -> None:
    assert feedsmith_requirement(version) == spec


def run_step(
    step: dict[str, Any], cwd: Path, env: dict[str, str], github_env: Path, *, ok: bool = True
) -> str:
    """Run a workflow step's script the way the runner does (bash -e), then load what it wrote
    to $GITHUB_ENV into ``env`` for the next steps."""
    github_env.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env={**env, **step.get("env", {}), "GITHUB_ENV": str(github_env)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) == ok, f"{step['name']}:\n{result.stdout}\n{result.stderr}"
    for line in github_env.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    return result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_state_round_trips_through_the_state_branch(tmp_path: Path) -> None:
    # The workflow's own restore and commit scripts, against a local bare "origin".
    init_site(tmp_path / "template")
    steps = workflow(tmp_path / "template")["jobs"]["build"]["steps"]
    restore = steps[step_index(steps, runs("git fetch --depth=1 origin"), "restores")]
    commit = steps[step_index(steps, runs("git push"), "commits")]

    bin_dir = tmp_path / "bin"  # the scripts call `python`, as on the runner
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    base_env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "STATE_BRANCH": "feedsmith-state",
    }
    origin = tmp_path / "origin.git"

    def git(*args: str, cwd: Path = tmp_path) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=base_env, capture_output=True, text=True, check=True
        ).stdout.strip()

    git("init", "-q", "--bare", str(origin))
    github_env = tmp_path / "github_env"

    def checkout(name: str) -> tuple[Path, dict[str, str]]:
        work = tmp_path / name
        git("clone", "-q", str(origin), str(work))
        env = {**base_env, "STATE_FILE": str(work / ".feedsmith/state.sqlite3")}
        return work, env

    def write_state(path: Path, value: str) -> None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
            db.execute("INSERT INTO t VALUES (?)", (value,))
        db.close()

    def read_state(path: Path) -> list[str]:
        with sqlite3.connect(path) as db:
            values = [v for (v,) in db.execute("SELECT v FROM t")]
        db.close()
        return values

    # First run: no branch yet, an empty state, then the branch is created.
    work, env = checkout("run1")
    assert "first run" in run_step(restore, work, env, github_env)
    assert env["STATE_COMMIT"] == ""
    write_state(Path(env["STATE_FILE"]), "item-1")
    run_step(commit, work, env, github_env)
    assert git("ls-remote", "--heads", str(origin), "feedsmith-state")

    # Second run: the state comes back; unchanged, nothing is pushed.
    work, env = checkout("run2")
    run_step(restore, work, env, github_env)
    assert read_state(Path(env["STATE_FILE"])) == ["item-1"]
    head = git("rev-parse", "feedsmith-state", cwd=origin)
    assert "did not change" in run_step(commit, work, env, github_env)
    assert git("rev-parse", "feedsmith-state", cwd=origin) == head

    # Changed: replaced by one commit without a parent, so history does not pile up.
    write_state(Path(env["STATE_FILE"]), "item-2")
    run_step(commit, work, env, github_env)
    assert git("rev-list", "--count", "feedsmith-state", cwd=origin) == "1"
    assert "[skip ci]" in git("log", "-1", "--format=%s", "feedsmith-state", cwd=origin)
    work, env = checkout("run3")
    run_step(restore, work, env, github_env)
    assert read_state(Path(env["STATE_FILE"])) == ["item-1", "item-2"]

    # An origin that cannot be read is not "no state yet": the run stops rather than start over
    # with an empty state and publish every item again.
    git("remote", "set-url", "origin", str(tmp_path / "gone.git"), cwd=work)
    assert "::error::" in run_step(restore, work, env, github_env, ok=False)
