"""The CI kit: SARIF against the official schema, the GitLab report, action.yml and the pre-commit hook."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, check_here, edit, line_of, run_bidkit

#: In CI a copy of shared/ lies beside the repository clone; a user's own clone has none.
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "standards" / "sarif-2.1.0-rtm.5.json"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


@pytest.fixture
def broken(bid):
    """Errors and warnings of several kinds: a wrong total (BUD002), a funding gap (BUD004), a lost text (YML002)."""
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")
    edit(bid / "goals.yaml", "title: Lebensqualität durch digitale Angebote", "title: Lebensqualität durch #digitale Angebote")
    return bid


def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the official SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (CI puts shared/ beside the clone)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("fixture", ["bid", "broken"])
def test_sarif_is_valid_against_the_official_schema(fixture, request, tmp_path):
    request.getfixturevalue(fixture)
    validator = sarif_validator()
    run = check_here("bid", "--format", "sarif", cwd=tmp_path)
    log = json.loads(run.stdout)
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(log)]
    assert errors == []
    assert log["runs"][0]["results"], "the log must hold results for the schema to check them"


def test_sarif_validation_catches_a_broken_log():
    """The schema check can fail: a level SARIF does not know is refused."""
    validator = sarif_validator()
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "bidkit"}}, "results": [
        {"ruleId": "BUD002", "level": "fatal", "message": {"text": "x"}}]}]}
    assert list(validator.iter_errors(log))


def gitlab_report(tmp_path) -> list[dict]:
    run = check_here("bid", "--format", "gitlab", cwd=tmp_path)
    assert run.code == 1 and not run.stderr
    return json.loads(run.stdout)


def test_gitlab_code_quality_shape(broken, tmp_path):
    issues = gitlab_report(tmp_path)
    assert isinstance(issues, list) and issues
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in GITLAB_SEVERITIES
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert set(issue["location"]) == {"path", "lines"}
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
        assert not Path(issue["location"]["path"]).is_absolute()
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    total = next(i for i in issues if i["check_name"] == "BUD002")
    assert total["severity"] == "critical"
    assert total["location"] == {"path": "bid/budget.yaml", "lines": {"begin": line_of(broken / "budget.yaml", "total: 600000")}}
    assert next(i for i in issues if i["check_name"] == "BUD004")["severity"] == "minor"
    assert "the years' cost items add up to" in total["description"]


def test_gitlab_fingerprints_survive_reruns_and_moved_lines(broken, tmp_path):
    before = {i["check_name"]: i for i in gitlab_report(tmp_path)}
    assert {i["check_name"]: i for i in gitlab_report(tmp_path)} == before
    text = (broken / "budget.yaml").read_text(encoding="utf-8")
    (broken / "budget.yaml").write_text("# moved down by two lines\n#\n" + text, encoding="utf-8")
    after = {i["check_name"]: i for i in gitlab_report(tmp_path)}
    assert after["BUD002"]["location"]["lines"]["begin"] == before["BUD002"]["location"]["lines"]["begin"] + 2
    assert after["BUD002"]["fingerprint"] == before["BUD002"]["fingerprint"]
    edit(broken / "budget.yaml", "  total: 600000\n  note", "  total: 700000\n  note")
    changed = {i["check_name"]: i for i in gitlab_report(tmp_path)}
    assert changed["BUD002"]["fingerprint"] != before["BUD002"]["fingerprint"]  # another problem, another issue


# --- action.yml and .pre-commit-hooks.yaml -------------------------------------------------

@functools.cache
def cli_help(*command: str) -> str:
    run = run_bidkit(*command, "--help")
    assert run.code == 0, run.stderr
    return run.stdout


def bidkit_calls(script: str) -> list[list[str]]:
    """The `bidkit …` command lines of a shell script, as words (continuation lines joined)."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        words = re.split(r"\|\||>", line)[0].split()
        if words and words[0] == "bidkit":
            calls.append(words)
    return calls


def assert_known(words: list[str]) -> None:
    """The command, its options and the --format value exist in bidkit's own --help."""
    assert re.search(rf"^\W*{words[1]}\s", cli_help(), flags=re.M), f"bidkit has no command {words[1]}"
    options = set(re.findall(r"--[a-z][a-z-]*", cli_help(words[1])))
    assert {w for w in words[2:] if w.startswith("--")} <= options, f"unknown option in {words}"
    if "--format" in words:
        assert re.search(rf"[\[<|]{words[words.index('--format') + 1]}[|\]>]", cli_help(words[1]))


ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def test_action_is_a_composite_action_with_the_documented_inputs():
    assert ACTION["name"] and ACTION["description"]
    assert set(ACTION["inputs"]) >= {"bid-folder", "python-version", "fail-on-warnings"}
    assert all("description" in spec and "default" in spec for spec in ACTION["inputs"].values())
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"expression inside a script (injection): {step['name']}"
    install = next(step for step in steps if step.get("name") == "Install bidkit")
    assert install["env"]["BIDKIT_SOURCE"] == "${{ github.action_path }}" and "pip install" in install["run"]
    calls = [words for step in steps if "run" in step for words in bidkit_calls(step["run"])]
    assert [w[:2] for w in calls] == [["bidkit", "check"], ["bidkit", "check"], ["bidkit", "build"]]
    for words in calls:
        assert_known(words)
    assert {"--format", "github"} <= set(calls[0]) and {"--format", "sarif"} <= set(calls[1]) and "--draft" in calls[2]
    upload = next(step for step in steps if "uses" in step and "upload-artifact" in step["uses"])
    assert upload["if"] == "always()"


def test_pre_commit_hook():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "bidkit-check")
    assert hook["entry"] == "bidkit check" and hook["pass_filenames"] is False and hook["language"] == "python"
    assert_known(hook["entry"].split())
    files = re.compile(hook["files"])
    assert all(files.search(name) for name in ["bid/budget.yaml", "goals.yml", "anlagen/kosten.csv", "kfp.xlsx", "anlagen/mou.pdf"])
    assert not any(files.search(name) for name in ["README.md", "logo.svg", "budget.yaml.bak"])


def _expand(text: str, context: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m.group(1)], text)


def run_action(bid: Path, tmp_path: Path, steps: list[dict] | None = None,
               **inputs: str) -> tuple[dict[str, str], list[subprocess.CompletedProcess]]:
    """Run the action's own scripts as the runner would (bash -e, inputs in env), bidkit already installed."""
    context = {f"inputs.{name}": str(spec["default"]) for name, spec in ACTION["inputs"].items()}
    context |= {f"inputs.{name}": value for name, value in inputs.items()}
    context |= {"github.action_path": str(REPO), "runner.temp": str(tmp_path / "runner")}
    outputs_file = tmp_path / "github_output"
    outputs: dict[str, str] = {}
    runs = []
    for step in ACTION["runs"]["steps"] if steps is None else steps:
        if "run" not in step or step.get("name") == "Install bidkit":
            continue
        context |= {f"steps.check.outputs.{key}": value for key, value in outputs.items()}
        env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
        env |= {key: _expand(str(value), context) for key, value in step.get("env", {}).items()}
        env |= {"GITHUB_OUTPUT": str(outputs_file), "RUNNER_OS": "Linux", "NO_COLOR": "1",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        outputs_file.touch()
        runs.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                   cwd=bid.parent, env=env, capture_output=True, text=True, timeout=300))
        outputs = dict(line.split("=", 1) for line in outputs_file.read_text().splitlines())
    return outputs, runs


@pytest.mark.slow
def test_action_scripts_annotate_build_a_draft_and_fail_on_errors(broken, tmp_path):
    outputs, (check, draft, verdict) = run_action(broken, tmp_path, **{"bid-folder": "bid"})
    assert check.returncode == 0 and "::error file=bid/budget.yaml" in check.stdout
    assert outputs["status"] == "1"
    sarif = Path(outputs["sarif"])
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert any(r["ruleId"] == "BUD002" for r in log["runs"][0]["results"])
    assert draft.returncode == 0, draft.stderr
    assert (sarif.parent / "draft.pdf").read_bytes().startswith(b"%PDF")
    assert verdict.returncode == 1 and "bidkit check exited 1" in verdict.stdout


def test_action_fails_on_warnings_only_when_asked(bid, tmp_path):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")  # BUD004, a warning
    check = [step for step in ACTION["runs"]["steps"] if step.get("id") == "check"]
    for flag, status in (("false", "0"), ("true", "1")):
        (tmp_path / flag).mkdir()
        outputs, _ = run_action(bid, tmp_path / flag, check, **{"bid-folder": "bid", "fail-on-warnings": flag})
        assert outputs["status"] == status


def test_readme_workflow_examples_use_the_kit():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = []
    for text in re.findall(r"```yaml\n(.*?)\n```", readme, flags=re.S):
        try:
            blocks.append(yaml.safe_load(text))
        except yaml.YAMLError:  # the README also shows two files side by side
            continue
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    kit = next(s for s in steps if "bidkit" in s.get("uses", "") and "codeql" not in s["uses"])
    assert set(kit.get("with", {})) <= set(ACTION["inputs"])
    hooks = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    hook = hooks["repos"][0]["hooks"][0]
    assert hook["id"] == "bidkit-check" and hook["args"]
    gitlab = next(b for b in blocks if isinstance(b, dict) and any(
        isinstance(v, dict) and "artifacts" in v for v in b.values()))
    job = next(v for v in gitlab.values() if isinstance(v, dict) and "artifacts" in v)
    assert "codequality" in job["artifacts"]["reports"]
    assert any("--format gitlab" in line for line in job["script"])
