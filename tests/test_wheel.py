"""A real (non-editable) install: templates and the example ship inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = dist.glob("bidkit-*.whl")
    return built


def test_wheel_contains_templates_calls_and_example(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bidkit/templates/bid.html.j2" in names
    assert "bidkit/templates/style.css" in names
    assert "bidkit/calls/bitkom-digitale-stadt-2017.yaml" in names
    assert "bidkit/example/bid.yaml" in names
    assert "bidkit/skeleton/bid.yaml.j2" in names
    assert "bidkit/data/german-cities-50k.txt" in names


@pytest.mark.slow
def test_installed_wheel_inits_and_builds_from_another_folder(wheel, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The installed copy comes first on the path, ahead of the checkout's editable install.
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)

    def bidkit(*args):
        return subprocess.run([sys.executable, "-m", "bidkit", *args], cwd=work, env=env, capture_output=True, text=True)

    where = subprocess.run([sys.executable, "-c", "import bidkit; print(bidkit.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True).stdout
    assert where.startswith(str(site)), where
    assert bidkit("init", "x", "--example").returncode == 0
    assert bidkit("init", "y", "--city", "Paderborn", "--call", "bitkom-digitale-stadt-2017").returncode == 0
    assert bidkit("check", "y").returncode == 1  # a skeleton: every TODO is a finding
    run = bidkit("build", "x")
    assert run.returncode == 0, run.stderr
    pdf = work / "build" / "wolfsburg-bitkom-digitale-stadt-2017.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
