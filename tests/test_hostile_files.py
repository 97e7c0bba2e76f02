"""Links, special files and oversized files: reported, never followed, never written through.

Each check runs in a subprocess with a time limit where a wrong move would
block (reading a fifo waits for a writer forever).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import tree_digest

from rmtui.core.yamlio import MAX_FILE_BYTES


def rmtui_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rmtui", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text("id: secret\nname: Not In The Program\nrole: mentor\n")
    os.mkfifo(folder / "fifo")
    return folder


def test_a_linked_file_is_reported_and_not_read(people_program, outside) -> None:
    root = people_program.root
    (root / "participants" / "secret.yaml").symlink_to(outside / "secret.yaml")
    (root / "participants" / "blocker.yaml").symlink_to(outside / "fifo")
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "participants/secret.yaml:1:1: error[symlink]" in run.stdout
    assert "participants/blocker.yaml:1:1: error[symlink]" in run.stdout
    assert "Not In The Program" not in run.stdout
    listed = rmtui_cli("-C", str(root), "participant", "list", "--fields", "id,name")
    assert "Not In The Program" not in listed.stdout


def test_a_linked_folder_is_reported_and_not_followed(people_program, outside) -> None:
    root = people_program.root
    (root / "sessions" / "elsewhere").symlink_to(outside, target_is_directory=True)
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "sessions/elsewhere:1:1: error[symlink]" in run.stdout
    assert "secret" not in run.stdout


def test_a_fifo_is_reported_and_never_opened(people_program) -> None:
    root = people_program.root
    os.mkfifo(root / "participants" / "pipe.yaml")
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "participants/pipe.yaml:1:1: error[file-type]" in run.stdout
    shown = rmtui_cli("-C", str(root), "participant", "show", "pipe")
    assert shown.returncode in (1, 2)


def test_edits_refuse_a_link_and_leave_its_target_alone(people_program, outside) -> None:
    root = people_program.root
    (root / "participants" / "secret.yaml").symlink_to(outside / "secret.yaml")
    before = (outside / "secret.yaml").read_bytes()
    for args in (["participant", "edit", "secret", "--set", "title=x"],
                 ["participant", "remove", "secret", "--force"]):
        run = rmtui_cli("-C", str(root), *args)
        assert run.returncode in (1, 2, 3), run.stderr
        assert "symbolic link" in run.stderr
        assert (outside / "secret.yaml").read_bytes() == before
        assert (root / "participants" / "secret.yaml").is_symlink()


def test_a_linked_program_toml_is_refused(people_program, outside) -> None:
    root = people_program.root
    (root / "program.toml").unlink()
    (root / "program.toml").symlink_to(outside / "fifo")
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "program.toml:1:1: error[symlink]" in run.stdout


def test_oversized_files_are_refused_unread(people_program) -> None:
    root = people_program.root
    big = root / "participants" / "huge.yaml"
    with open(big, "wb") as fh:
        fh.write(b"id: huge\nname: Huge\nrole: mentor\ntitle: '")
        fh.write(b"x" * MAX_FILE_BYTES)
        fh.write(b"'\n")
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "participants/huge.yaml:1:1: error[file-size]" in run.stdout
    before = tree_digest(root)
    run = rmtui_cli("-C", str(root), "participant", "edit", "huge", "--set", "title=small")
    assert run.returncode == 1 and "larger than" in run.stderr
    assert tree_digest(root) == before
    (root / "program.toml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    run = rmtui_cli("-C", str(root), "validate")
    assert run.returncode == 1
    assert "program.toml:1:1: error[file-size]" in run.stdout
