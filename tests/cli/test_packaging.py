"""The wheel ships the scripts and templates, and the installed package finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("sobesednik-*.whl")
    return whl


def test_wheel_contains_scripts_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = sorted(p.relative_to(ROOT / "scripts").as_posix() for p in (ROOT / "scripts").rglob("*.yaml"))
    assert bundled
    for rel in bundled:
        assert f"tui/_data/scripts/{rel}" in names
    assert "tui/_data/templates/plan.md.j2" in names
    assert "tui/_data/templates/groups/mother_preschool.md.j2" in names


def test_installed_package_finds_its_data_from_any_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "tui", "check"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "Сценарии в порядке" in out.stdout
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tui.paths import scripts_dir, templates_dir;print(scripts_dir()); print(templates_dir())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(p.startswith(str(target)) for p in where)
