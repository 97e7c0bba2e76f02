"""The load cache under .rmtui/cache: fast, and never stale.

A cached entry is keyed by the file's size, mtime, inode and ctime, and a
file changed too close to the read is never cached (git's racy-entry rule).
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest

from rmtui.core import store
from rmtui.core.kinds import KINDS
from rmtui.core.resources import template_dir
from rmtui.core.store import Program, check_file

OLD = time.time() - 3600  # an hour ago: well outside the racy window


def person(pid: str, name: str, role: str = "mentor") -> str:
    return f"id: {pid}\nname: {name}\nrole: {role}\n"


@pytest.fixture
def prog(tmp_path: Path) -> Program:
    """A program folder with four participant files, written an hour ago.

    No git repository: reading needs none, and building one per test is slow.
    """
    program = Program(tmp_path / "prog")
    folder = program.root / "participants"
    folder.mkdir(parents=True)
    shutil.copyfile(template_dir() / "program.toml", program.root / "program.toml")
    shutil.copyfile(template_dir() / "gitignore", program.root / ".gitignore")
    (folder / "ada.yaml").write_text(person("ada", "Ada Lovelace"), encoding="utf-8")
    (folder / "bob.yaml").write_text(person("bob", "Bob Marley", "mentee"), encoding="utf-8")
    (folder / "broken.yaml").write_text("id: broken\nname: [oops\n", encoding="utf-8")
    (folder / "wrong.yaml").write_text("id: wrong\nname: Wrong\nrole: boss\n", encoding="utf-8")
    age(program)
    return program


def age(prog: Program, when: float = OLD) -> None:
    """Set every participant file's times back (as if written long ago)."""
    for path in (prog.root / "participants").iterdir():
        os.utime(path, (when, when))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the store actually parses (cache misses)."""
    seen: list[str] = []
    real = store.check_file

    def counting(kind, entity_id, relpath, raw):
        seen.append(relpath)
        return real(kind, entity_id, relpath, raw)

    monkeypatch.setattr(store, "check_file", counting)
    return seen


def uncached(prog: Program) -> dict:
    """What a fresh read of every participant file says, without any cache."""
    kind = KINDS["participant"]
    out = {}
    for path in sorted((prog.root / "participants").glob("*.yaml")):
        rel = path.relative_to(prog.root).as_posix()
        out[path.stem] = check_file(kind, path.stem, rel, path.read_bytes())
    return out


def cache_file(prog: Program) -> Path:
    return prog.root / store.CACHE_DIR / "participant.pickle"


def cached_paths(prog: Program) -> set[str]:
    with open(cache_file(prog), "rb") as fh:
        _stamp, entries = pickle.load(fh)  # noqa: S301 - our own test file
    return set(entries)


def test_cached_load_equals_a_fresh_read(prog, reads):
    first = Program(prog.root).load("participant")
    assert sorted(reads) == ["participants/ada.yaml", "participants/bob.yaml",
                             "participants/broken.yaml", "participants/wrong.yaml"]
    reads.clear()
    second = Program(prog.root).load("participant")
    assert reads == []  # all from the cache
    assert first == second == uncached(prog)
    assert list(second) == ["ada", "bob", "broken", "wrong"]  # sorted by id
    # the broken files keep their diagnostics through the cache
    assert [d.rule for d in second["broken"].diagnostics] == ["yaml-syntax"]
    assert [d.rule for d in second["wrong"].diagnostics] == ["schema"]
    assert second["ada"].ok and not second["wrong"].ok


def test_new_file_is_seen(prog, reads):
    Program(prog.root).load("participant")
    (prog.root / "participants" / "cy.yaml").write_text(person("cy", "Cy Twombly"))
    reads.clear()
    loaded = Program(prog.root).load("participant")
    assert reads == ["participants/cy.yaml"]
    assert loaded["cy"].data["name"] == "Cy Twombly"


def test_same_size_edit_with_the_old_mtime_is_seen(prog, reads):
    """An edit in place keeps size and inode; mtime is set back: ctime still tells."""
    Program(prog.root).load("participant")
    path = prog.root / "participants" / "ada.yaml"
    before = path.stat()
    with open(path, "r+b") as fh:  # in place: the same inode
        fh.write(person("ada", "Ada Lovelacf").encode())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == \
        (before.st_size, before.st_mtime_ns, before.st_ino)
    reads.clear()
    assert Program(prog.root).load("participant")["ada"].data["name"] == "Ada Lovelacf"
    assert reads == ["participants/ada.yaml"]


def test_same_size_replace_with_the_old_mtime_is_seen(prog):
    """An editor's save-by-rename gives a new inode with the same size and mtime."""
    Program(prog.root).load("participant")
    path = prog.root / "participants" / "bob.yaml"
    before = path.stat()
    tmp = path.with_name(".bob.tmp")
    tmp.write_text(person("bob", "Bob Marlez", "mentee"))
    os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(tmp, path)
    assert Program(prog.root).load("participant")["bob"].data["name"] == "Bob Marlez"


def test_racy_entries_are_not_cached(prog, monkeypatch):
    """Even where ctime and inode tell nothing (a coarse clock), an edit made in the
    same tick as a read, with the same size and mtime, is seen: such files are not
    cached until they are old enough."""
    monkeypatch.setattr(store, "_stat_key", lambda st: (st.st_size, st.st_mtime_ns))
    path = prog.root / "participants" / "ada.yaml"
    now = time.time()
    os.utime(path, (now, now))
    assert Program(prog.root).load("participant")["ada"].data["name"] == "Ada Lovelace"
    assert "participants/ada.yaml" not in cached_paths(prog)
    assert "participants/bob.yaml" in cached_paths(prog)  # old files are cached
    before = path.stat()
    path.write_text(person("ada", "Ada Lovelacf"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert Program(prog.root).load("participant")["ada"].data["name"] == "Ada Lovelacf"
    # once the file is old enough it is cached, and a later edit is seen by its key
    age(prog)
    Program(prog.root).load("participant")
    assert "participants/ada.yaml" in cached_paths(prog)
    path.write_text(person("ada", "Ada Lovelace, Countess"))
    assert Program(prog.root).load("participant")["ada"].data["name"] == "Ada Lovelace, Countess"


def test_deleted_files_disappear(prog):
    assert "bob" in Program(prog.root).load("participant")
    (prog.root / "participants" / "bob.yaml").unlink()
    loaded = Program(prog.root).load("participant")
    assert "bob" not in loaded and list(loaded) == ["ada", "broken", "wrong"]
    assert "participants/bob.yaml" not in cached_paths(prog)
    (prog.root / "participants" / "broken.yaml").unlink()
    (prog.root / "participants" / "wrong.yaml").unlink()
    assert list(Program(prog.root).load("participant")) == ["ada"]


def test_file_fixed_by_hand_is_seen(prog):
    assert not Program(prog.root).load("participant")["broken"].ok
    path = prog.root / "participants" / "broken.yaml"
    path.write_text(person("broken", "Now Fixed"))
    os.utime(path, (OLD, OLD))
    rec = Program(prog.root).load("participant")["broken"]
    assert rec.ok and rec.diagnostics == []


@pytest.mark.parametrize("damage", [
    b"",
    b"not a pickle at all",
    b"\x80\x05\x95",  # a truncated pickle
    pickle.dumps("just a string"),
    pickle.dumps(("wrong", "stamp")),
    pickle.dumps(None),
], ids=["empty", "garbage", "truncated", "string", "wrong-stamp", "none"])
def test_damaged_cache_is_ignored_and_rebuilt(prog, reads, damage):
    expected = Program(prog.root).load("participant")
    cache_file(prog).write_bytes(damage)
    reads.clear()
    assert Program(prog.root).load("participant") == expected == uncached(prog)
    assert len(reads) == 4  # everything read again
    reads.clear()
    Program(prog.root).load("participant")
    assert reads == []  # and the rebuilt cache serves the next load


def _ada_key(prog: Program) -> tuple:
    return store._stat_key((prog.root / "participants" / "ada.yaml").stat())


@pytest.mark.parametrize("entries", [
    lambda key: [],
    lambda key: None,
    lambda key: {"participants/ada.yaml": "junk"},
    lambda key: {"participants/ada.yaml": 7},
    lambda key: {"participants/ada.yaml": ("junk",)},
    lambda key: {"participants/ada.yaml": (key, "not a record")},
    lambda key: {"participants/ada.yaml": (key, "not data", ())},
    lambda key: {"participants/ada.yaml": (key, {"id": "ada"}, "not diagnostics")},
    lambda key: {"participants/ada.yaml": ("not a key", {"id": "ada"}, ())},
], ids=["list", "none", "string", "int", "short-tuple", "two-tuple", "not-data",
        "not-diagnostics", "not-a-key"])
def test_cache_with_the_right_stamp_but_a_wrong_shape_is_ignored(prog, entries):
    expected = Program(prog.root).load("participant")
    stamp = store._KindCache(Program(prog.root), KINDS["participant"]).stamp
    cache_file(prog).write_bytes(pickle.dumps((stamp, entries(_ada_key(prog)))))
    assert Program(prog.root).load("participant") == expected


def test_schema_change_invalidates(prog, reads, monkeypatch):
    Program(prog.root).load("participant")
    reads.clear()
    Program(prog.root).load("participant")
    assert reads == []
    monkeypatch.setattr(store.schemas, "fingerprint", lambda: "another-schema")
    Program(prog.root).load("participant")
    assert len(reads) == 4  # a schema change re-checks every file
    reads.clear()
    Program(prog.root).load("participant")
    assert reads == []  # then caches again under the new schema


def test_schema_fingerprint_follows_the_schema_files(tmp_path, monkeypatch):
    from rmtui.core import resources, schemas

    folder = tmp_path / "schemas"
    folder.mkdir()
    for path in resources.schemas_dir().glob("*.json"):
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(schemas, "schemas_dir", lambda: folder)
    schemas.fingerprint.cache_clear()
    try:
        first = schemas.fingerprint()
        schemas.fingerprint.cache_clear()
        text = (folder / "participant.schema.json").read_text()
        (folder / "participant.schema.json").write_text(text.replace('"maximum": 99', '"maximum": 98'))
        assert schemas.fingerprint() != first
    finally:
        schemas.fingerprint.cache_clear()


def test_version_change_invalidates(prog, reads, monkeypatch):
    Program(prog.root).load("participant")
    monkeypatch.setattr(store, "__version__", "999.0")
    reads.clear()
    Program(prog.root).load("participant")
    assert len(reads) == 4


def test_read_only_program_still_loads(prog):
    cache_dir = prog.root / ".rmtui"
    if cache_dir.exists():
        for path in sorted(cache_dir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        cache_dir.rmdir()
    cache_dir.write_text("not a folder")  # the cache cannot be written
    assert Program(prog.root).load("participant") == uncached(prog)


def test_cache_lives_under_rmtui_and_is_ignored_by_git(prog):
    Program(prog.root).load("participant")
    assert cache_file(prog).is_file()
    assert ".rmtui/" in (prog.root / ".gitignore").read_text()


def test_gc_pauses_in_two_threads_end_with_the_collector_as_it_was() -> None:
    """One thread's pause ending must not switch the collector on under another's."""
    import gc
    import threading

    from rmtui.core.parallel import gc_paused

    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(5)
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's pause is still open
    release.set()
    t.join(5)
    assert gc.isenabled()


def test_a_pool_starts_under_a_replaced_stderr_while_threads_run(tmp_path) -> None:
    """Inside the Textual app sys.stderr has no file descriptor and a worker thread is
    running (so no fork): the pool must start all the same, not fail in the resource
    tracker with "bad value(s) in fds_to_keep". In a fresh interpreter, where no
    tracker runs yet."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, threading\n"
        "from rmtui.core.parallel import map_chunks\n"
        "class Capture:\n"
        "    def write(self, s): return len(s)\n"
        "    def flush(self): pass\n"
        "    def fileno(self): return -1\n"
        "sys.stderr = Capture()\n"
        "out = {}\n"
        "t = threading.Thread(target=lambda: out.update(r=map_chunks(\n"
        "    __import__('tests_helper_double').double, list(range(3000)), workers=2)))\n"
        "t.start(); t.join()\n"
        "print(out['r'] == [i * 2 for i in range(3000)])\n")
    (tmp_path / "tests_helper_double.py").write_text(
        "def double(items):\n    return [i * 2 for i in items]\n", encoding="utf-8")
    root = Path(__file__).parents[1]
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path,
                          env={**__import__("os").environ,
                               "PYTHONPATH": f"{root}{__import__('os').pathsep}{tmp_path}"})
    assert proc.stdout.strip() == "True", proc.stderr[-800:]
