"""The TUI: how soon `rmtui tui` paints and answers, and whether its event loop stalls.

    .venv/bin/python benchmarks/bench_tui.py [--participants 1000 10000] [--runs N] [--why]

On the 1,000- and 10,000-participant demos, with the caches warm (one untimed
run first), each run in a fresh process:

* **In a real terminal.** `rmtui tui` runs in a pseudo-terminal of 80x24, as a
  person starts it (file watcher on). Measured from the moment the process is
  started: the first painted dashboard (its placeholders), the first key
  answered (``?`` is typed as soon as the dashboard shows; answered when its
  help is drawn), the KPIs on screen, every part filled in (the trend last).
  Then key 2: the People table ready with every participant, and the filter's
  keystroke latency (a word typed a key at a time; each key from being written
  to the terminal to the first frame drawn after the table was filtered).
  Then the other screens, one after the other (keys 4, 5, 6, 7): from the key
  until the screen has shown what it loaded; and Matching (key 3, then ``r``):
  a whole suggestion run from ``r`` until its proposals are shown.
* **Event-loop stalls.** A task on the app's event loop sleeps 10 ms over and
  over and records how late each wake-up is, and the CPU time the process used
  meanwhile (a late wake-up with little of it: the machine was busy with other
  work). The worst is given for the start-up (before the first paint: Textual
  composing the app), the dashboard's loading (first paint to every part in,
  plus 1 s), People's loading, the typing, and each other screen (from its key
  until 0.5 s after it showed what it loaded). ``--why`` adds one run per size
  in which a thread samples every thread's stack, and names what ran during
  each stall over 50 ms.
* **The same without the file watcher** (``RmtuiApp(root, watch=False)``; the
  watcher is a child process, ``rmtui.tui.jobs.watch_job``), run alternately
  with the above, to show what the watcher's start costs; and without the
  watcher and without typing ``?``, to show the dashboard's loading alone
  (opening the help the first time is part of the stall after the first paint
  otherwise).
* **Headless.** The same app under Textual's ``run_test`` (no terminal): the
  first dashboard frame composed, and a key (``d``) handled.
* **A virtual table against Textual's DataTable**, each alone in an app, with
  the same 10,000 People rows: from starting the app to the first idle with
  the rows laid out, and the worst stall meanwhile.

Goals: first screen painted and interactive under 1 s at 1,000 participants
and under 2 s at 10,000; no stall over 100 ms. Results go in docs/benchmarks.md
under "TUI".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import select
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import ROOT, Result, demo_program, machine, run_command, table  # noqa: E402

SIZE = (80, 24)
TYPED = "operations"      # typed into People's filter, one key at a time
KEY_GAP = 0.25            # seconds between typed keys (each is answered well before)
TICK = 0.010              # the stall probe's sleep
TIMEOUT = 60.0
PARTS = ("_show_kpis", "_show_pairs", "_show_sparks", "_show_problems", "_show_changes")
OTHER_SCREENS = (  # key, mode, the method that shows what the screen loaded, label
    ("4", "pairs", "_show_rows", "Pairs"),
    ("5", "surveys", "_show", "Surveys"),
    ("6", "history", "_show_commits", "History"),
    ("7", "problems", "_show", "Problems"),
    ("3", "matching", "_run_done", "Matching run"),  # 3, then r: a whole suggestion
)


# --------------------------------------------------------------------------
# In the measured process
# --------------------------------------------------------------------------


class Probe:
    """Sleeps ``TICK`` on the event loop over and over; each sample is (when it woke,
    how late). A late wake-up is a stall: nothing else could run on the loop either."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float, float]] = []

    async def run(self) -> None:
        while True:
            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(TICK)
            # with the CPU time the process's threads used meanwhile: a long stall with
            # little of it is the machine's other work, not this process's
            self.samples.append((time.time(), time.perf_counter() - start - TICK,
                                 time.process_time() - cpu))


class Sampler(threading.Thread):
    """Every thread's stack every 2 ms (``--why`` only: it costs time itself)."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="bench-sampler")
        self.samples: list[tuple[float, dict[str, str]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        me = threading.get_ident()
        while not self.stop.is_set():
            names = {t.ident: t.name for t in threading.enumerate()}
            now = time.time()
            stacks = {}
            for tid, frame in sys._current_frames().items():
                if tid != me:
                    stacks[names.get(tid, str(tid))] = _where(frame)
            self.samples.append((now, stacks))
            time.sleep(0.002)


def _where(frame) -> str:
    """The innermost frame, and the innermost one in rmtui (or textual) when different."""
    inner = None
    ours = None
    f = frame
    while f is not None:
        code = f.f_code
        here = f"{Path(code.co_filename).name}:{code.co_name}:{f.f_lineno}"
        if inner is None:
            inner = here
        if ours is None and ("/rmtui/" in code.co_filename or "/textual/" in code.co_filename):
            mod = code.co_filename.split("/rmtui/")[-1] if "/rmtui/" in code.co_filename \
                else "textual/" + code.co_filename.split("/textual/")[-1]
            ours = f"{mod}:{code.co_name}:{f.f_lineno}"
        f = f.f_back
    return inner if ours in (None, inner) else f"{inner} < {ours}"


def _hook(cls, name: str, log: list[float], *, when=None) -> None:
    """Note the time each call of ``cls.name`` returns (if ``when(args)`` says so)."""
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        if when is None or when(args):
            log.append(time.time())
        return out

    setattr(cls, name, wrapper)


def child_app(root: Path, report: Path, *, headless: bool, why: bool,
              threads: bool = False, watch: bool = True) -> None:
    """Run the app (in the terminal this process was given, or headless) and write
    what happened when to ``report``."""
    from rmtui.tui.app import RmtuiApp

    events: dict[str, list[float]] = defaultdict(list)
    counts: list[tuple[float, int]] = []
    patched: set[str] = set()
    _hook(RmtuiApp, "_display", events["frame"],
          when=lambda args: args[1] is not None and type(args[0]).__name__ != "HelpScreen")

    def patch(mode: str) -> None:
        if mode in patched:
            return
        patched.add(mode)
        if mode == "dashboard":
            from rmtui.tui.screens.dashboard import DashboardScreen as D

            for name in PARTS:
                _hook(D, name, events[name])
            # tell the benchmark when every part is in (the trend comes last)
            _hook(D, "_show_sparks", [], when=lambda args: report.with_suffix(".in").touch()
                  or True)
            if threads:  # for comparison: everything computed in the worker threads
                D.IN_PROCESS = False
        elif mode in {m for _, m, _, _ in OTHER_SCREENS}:
            import importlib

            shown = next(name for _, m, name, _ in OTHER_SCREENS if m == mode)
            cls = importlib.import_module(f"rmtui.tui.screens.{mode}").SCREEN
            _hook(cls, shown, events[mode],  # and tell the benchmark, as for the trend
                  when=lambda args: report.with_suffix(f".{mode}").touch() or True)
        elif mode == "people":
            from rmtui.tui.screens.people import PeopleScreen as P

            _hook(P, "_show_rows", events["people_rows"])
            original = P._count

            def count(self):
                original(self)
                counts.append((time.time(), self.query_one("#people").row_count))

            P._count = count

    switch = RmtuiApp.switch_mode

    def switch_mode(self, mode):  # screens are imported on first use: patch them then
        out = switch(self, mode)
        patch(mode)
        return out

    RmtuiApp.switch_mode = switch_mode
    probe = Probe()
    sampler = Sampler() if why else None
    result: dict = {}

    async def main() -> None:
        task = asyncio.get_running_loop().create_task(probe.run())
        if sampler:
            sampler.start()
        if headless:
            app = RmtuiApp(root, watch=False)
            async with app.run_test(size=SIZE) as pilot:
                result["ready"] = time.time()
                # a key as the terminal would send it (Pilot.press would also wait for
                # the whole process to go idle, workers included)
                from textual import events as ev

                app._driver.send_message(ev.Key("d", "d"))
                deadline = time.time() + TIMEOUT
                while app.focused is None or app.focused.id != "due":
                    if time.time() > deadline:
                        raise SystemExit(f"d did not focus the due list: {app.focused}")
                    await asyncio.sleep(0.002)
                result["key"] = time.time()
                while not all(events[name] for name in PARTS):  # every part shown
                    await asyncio.sleep(0.01)
                await pilot.pause()
        else:
            await RmtuiApp(root, watch=watch).run_async()
        task.cancel()
        if sampler:
            sampler.stop.set()

    asyncio.run(main())
    result.update(events=events, counts=counts, samples=probe.samples,
                  stacks=sampler.samples if sampler else [])
    report.write_text(json.dumps(result))


def child_table(kind: str, root: Path, report: Path) -> None:
    """One table alone in an app, given the People rows: time to the first idle."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from rmtui.core.store import Program
    from rmtui.tui.screens.people import COLUMNS, FIELDS, rows_of
    from rmtui.tui.widgets.vtable import VirtualTable

    rows = rows_of(Program(root).columns("participant", FIELDS))
    probe = Probe()

    class TableApp(App):
        def compose(self) -> ComposeResult:
            yield DataTable(id="t") if kind == "datatable" else VirtualTable(COLUMNS, id="t")

        def on_mount(self) -> None:
            t = self.query_one("#t")
            if isinstance(t, DataTable):
                t.add_columns(*(c.label for c in COLUMNS))
                t.add_rows([tuple("" if v is None else v for v in r) for r in rows])
            else:
                t.set_rows(rows)

    async def main() -> dict:
        task = asyncio.get_running_loop().create_task(probe.run())
        app = TableApp()
        started = time.time()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
            ready = time.time()
            shown = app.query_one("#t").row_count
        task.cancel()
        return {"start": started, "ready": ready, "rows": shown}

    out = asyncio.run(main())
    out["stall"] = max((o for t, o, _ in probe.samples if out["start"] <= t <= out["ready"] + 0.5),
                       default=0.0)
    report.write_text(json.dumps(out))


# --------------------------------------------------------------------------
# In the benchmark's process
# --------------------------------------------------------------------------


ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
                  r"|\x1bP[^\x1b]*\x1b\\")


class Terminal:
    """A process in a pseudo-terminal, and the text it has drawn, with the time each
    piece arrived."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.started = time.time()
        pid, fd = pty.fork()
        if pid == 0:  # the child: a terminal of this size, then the app
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.pending = ""
        self.text = ""
        self.arrived: list[tuple[int, float]] = []  # (length of text, when)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        now = time.time()
        self.pending += data.decode("utf-8", "replace")
        cut = self.pending.rfind("\x1b", max(0, len(self.pending) - 64))
        done, self.pending = (self.pending, "") if cut < 0 else \
            (self.pending[:cut], self.pending[cut:])
        self.text += ANSI.sub("", done)
        self.arrived.append((len(self.text), now))
        return True

    def wait_for(self, needle: str, *, after: int = 0, timeout: float = TIMEOUT) -> float:
        """When ``needle`` was first drawn (after text position ``after``)."""
        deadline = time.time() + timeout
        while True:
            at = self.text.find(needle, after)
            if at >= 0:
                end = at + len(needle)
                return next(when for length, when in self.arrived if length >= end)
            if time.time() > deadline or not self._read(0.05):
                raise SystemExit(f"{needle!r} never drawn; the screen ended with:\n"
                                 f"{self.text[-2000:]}")

    def drain(self, seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end and self._read(0.02):
            pass

    def send(self, keys: str) -> float:
        now = time.time()
        os.write(self.fd, keys.encode())
        return now

    def finish(self) -> None:
        self.send("\x11")  # ctrl+q
        deadline = time.time() + 20
        while time.time() < deadline:
            if not self._read(0.1):
                break
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("TEXTUAL", None)
    return env


def _worst(samples: list, start: float, end: float) -> tuple[float, float, float]:
    """The longest stall that began in [start, end]: how long, when it began, and the
    CPU time the process used meanwhile (near 0: the machine ran something else)."""
    best = (0.0, start, 0.0)
    for woke, over, cpu in samples:
        began = woke - TICK - over
        if start <= began <= end and over > best[0]:
            best = (over, began, cpu)
    return best


def run_terminal(root: Path, people: int, *, why: bool = False, watch: bool = True,
                 ask_help: bool = True, screens: bool = False) -> dict:
    """One run of `rmtui tui` in a pseudo-terminal; the figures of one run (with
    ``screens``, also of opening the other screens one after the other)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        argv = [sys.executable, __file__, "--child", "app", str(root), str(report)]
        if why:
            argv.append("--why")
        if not watch:
            argv.append("--no-watch")
        term = Terminal(argv, _env(), SIZE)
        t0 = term.started
        painted = term.wait_for("At risk")
        answered = float("nan")
        if ask_help:
            mark = len(term.text)
            term.send("?")
            answered = term.wait_for("Dashboard: keys", after=mark)
            term.send("\x1b")
        kpis = term.wait_for("KPIs as of")
        term.wait_for("for Problems")
        deadline = time.time() + TIMEOUT  # every part in (the child says), then People
        while not report.with_suffix(".in").exists() and time.time() < deadline:
            term.drain(0.02)
        term.drain(1.2)  # past the dashboard's window (every part in + 1 s)
        mark = len(term.text)
        sent_people = term.send("2")
        people_ready = term.wait_for(f"{people} of {people} participants", after=mark)
        term.drain(0.5)
        term.send("/")
        term.drain(0.3)
        keys = []
        for ch in TYPED:
            keys.append(term.send(ch))
            term.drain(KEY_GAP)
        term.drain(0.5)
        opened = []  # (label, key sent, when what the screen shows was asked for)
        if screens:
            term.send("\r")  # from the filter back to the table, where keys are keys
            term.drain(0.3)
            for key, mode, _, label in OTHER_SCREENS:
                sent = asked = term.send(key)
                if mode == "matching":
                    term.drain(0.5)
                    asked = term.send("r")
                deadline = time.time() + TIMEOUT
                while not report.with_suffix(f".{mode}").exists():
                    if time.time() > deadline:
                        raise SystemExit(f"{label}: nothing shown in {TIMEOUT:.0f} s")
                    term.drain(0.02)
                term.drain(1.0)  # past the window (ready + 0.5 s): the next key, or
                opened.append((label, mode, sent, asked))  # quitting, is not in it
        term.finish()
        child = json.loads(report.read_text())
    ev = child["events"]
    filled = max(ev[name][0] for name in PARTS)
    frames = sorted(ev["frame"])
    latencies = []
    counts = sorted(child["counts"])
    for i, sent in enumerate(keys):
        until = keys[i + 1] if i + 1 < len(keys) else sent + 10
        filtered = next((t for t, _ in counts if sent <= t < until), None)
        if filtered is None:
            continue
        drawn = next((t for t in frames if t >= filtered), filtered)
        latencies.append(drawn - sent)
    samples = child["samples"]
    out = {
        "first paint": painted - t0,
        "interactive": answered - t0,
        "KPIs shown": kpis - t0,
        "every part in": filled - t0,
        "People ready": people_ready - sent_people,
        "filter keystroke": statistics.median(latencies) if latencies else float("nan"),
        "filter keystroke max": max(latencies) if latencies else float("nan"),
        "stall, start-up": _worst(samples, t0, frames[0]),
        "stall, dashboard": _worst(samples, frames[0], filled + 1.0),
        "stall, People": _worst(samples, sent_people, people_ready + 0.5),
        "stall, typing": _worst(samples, keys[0], keys[-1] + 0.5),
        "keys": [k - t0 for k in keys],
        "t0": t0,
    }
    for label, mode, sent, asked in opened:
        ready = min(t for t in ev[mode] if t >= asked)
        out[f"{label} ready"] = ready - asked
        out[f"stall, {label}"] = _worst(samples, sent, ready + 0.5)
    if why:
        end = max([keys[-1] + 0.5, *(min(t for t in ev[m] if t >= a) + 0.5
                                     for _, m, _, a in opened)])
        out["why"] = explain(child, t0, end)
    return out


def run_headless(root: Path, *, threads: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        started = time.time()
        run_command([sys.executable, __file__, "--child", "headless", str(root), str(report),
                     *(["--threads"] if threads else [])], env=_env())
        child = json.loads(report.read_text())
    ev = child["events"]
    frames = sorted(ev["frame"])
    filled = max(ev[name][0] for name in PARTS)
    return {"first paint": frames[0] - started, "interactive": child["key"] - started,
            "every part in": filled - started,
            "stall, start-up": _worst(child["samples"], started, frames[0]),
            "stall": _worst(child["samples"], frames[0], filled + 0.5)}


def run_table(kind: str, root: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        run_command([sys.executable, __file__, "--child", "table", kind, str(root), str(report)],
                    env=_env())
        out = json.loads(report.read_text())
    return {"ready": out["ready"] - out["start"], "stall": out["stall"], "rows": out["rows"]}


def explain(child: dict, t0: float, end: float, over: float = 0.05) -> list[str]:
    """For each stall over ``over`` s until ``end``: when, how long, the process's CPU
    time, how many stack samples the sampler could take (it needs the GIL: few
    samples in a long stall mean native code held it), and what the threads ran."""
    lines = []
    stacks = child["stacks"]
    for when, late, cpu in child["samples"]:
        if late < over or when > end:
            continue
        start = when - TICK - late
        seen: Counter = Counter()
        taken = 0
        for t, threads in stacks:
            if start - 0.003 <= t <= when:
                taken += 1
                for name, where in threads.items():
                    if "select" in where and "selectors.py" in where:
                        continue  # a thread waiting, not running
                    seen[f"{name}: {where}"] += 1
        top = "; ".join(f"{k} (x{n})" for k, n in seen.most_common(4)) or "(no sample)"
        lines.append(f"  +{start - t0:6.2f} s  {late * 1000:5.0f} ms  (process CPU "
                     f"{cpu * 1000:4.0f} ms, {taken} samples)  {top}")
    return lines


# --------------------------------------------------------------------------


def _result(label: str, values: list[float]) -> Result:
    return Result(label, seconds=list(values))


def warm(root: Path, people: int) -> None:
    """Fill every cache the app reads, then one untimed run."""
    from _harness import RMTUI

    for args in (["kpi"], ["validate"], ["participant", "list"]):
        run_command([*RMTUI, "-C", str(root), *args], env=_env(), check=False)
    run_terminal(root, people, screens=True)  # every screen's caches too


def bench_size(n: int, runs: int, why: bool) -> None:
    root = demo_program(n)
    print(f"\n{n:,} participants ({root.name})", flush=True)
    print("  warming the caches ...", file=sys.stderr, flush=True)
    warm(root, n)
    terminal, unwatched, keyless = [], [], []
    for i in range(runs):  # alternately, so all see the same machine
        print(f"  terminal runs {i + 1}/{runs} ...", file=sys.stderr, flush=True)
        terminal.append(run_terminal(root, n, screens=True))
        unwatched.append(run_terminal(root, n, watch=False))
        keyless.append(run_terminal(root, n, watch=False, ask_help=False))
    headless, threaded = [], []
    for i in range(runs):  # alternately, so both see the same machine
        print(f"  headless runs {i + 1}/{runs} ...", file=sys.stderr, flush=True)
        headless.append(run_headless(root))
        threaded.append(run_headless(root, threads=True))
    goal = 1.0 if n <= 1000 else 2.0
    steps = [_result(f"terminal: {k}", [r[k] for r in terminal])
             for k in ("first paint", "interactive", "KPIs shown", "every part in",
                       "People ready", "filter keystroke", "filter keystroke max",
                       *(f"{label} ready" for *_, label in OTHER_SCREENS))]
    steps += [_result(f"terminal, no file watcher: {k}", [r[k] for r in unwatched])
              for k in ("first paint", "interactive", "KPIs shown", "every part in")]
    steps += [_result(f"headless: {k}", [r[k] for r in headless])
              for k in ("first paint", "interactive", "every part in")]
    steps += [_result(f"headless, loads in threads: {k}", [r[k] for r in threaded])
              for k in ("first paint", "interactive", "every part in")]
    goals = {"terminal: first paint": goal, "terminal: interactive": goal,
             "headless: first paint": goal, "headless: interactive": goal}
    print(table(steps, goals=goals))
    print("\n  worst event-loop stall: median of runs, max of runs (process CPU during "
          "that one), goal < 100 ms after the first paint:")

    def stalls(label: str, got: list, key: str) -> None:
        vals = [r[key] for r in got]
        worst = max(vals)
        verdict = "" if "start-up" in key else ("ok" if worst[0] < 0.1 else "MISSED")
        print(f"    {label:<46} {statistics.median(v[0] for v in vals) * 1000:5.0f} ms "
              f"{worst[0] * 1000:6.0f} ms ({worst[2] * 1000:3.0f} ms CPU)  {verdict}")

    for key in ("stall, start-up", "stall, dashboard", "stall, People", "stall, typing",
                *(f"stall, {label}" for *_, label in OTHER_SCREENS)):
        stalls(f"terminal, {key[7:]}", terminal, key)
    for key in ("stall, start-up", "stall, dashboard"):
        stalls(f"terminal, no file watcher, {key[7:]}", unwatched, key)
    stalls("terminal, no watcher, no ? pressed, dashboard", keyless, "stall, dashboard")
    stalls("headless, start-up", headless, "stall, start-up")
    stalls("headless, dashboard", headless, "stall")
    stalls("headless, loads in threads, start-up", threaded, "stall, start-up")
    stalls("headless, loads in threads, dashboard", threaded, "stall")
    if why:
        print("\n  stalls over 50 ms in one sampled run (time from start, length, what ran):")
        r = run_terminal(root, n, why=True, screens=True)
        print("\n".join(r["why"]) or "    none")
    if n >= 10_000:
        print(f"\n  {n:,} People rows in a table alone in an app (headless), to the first idle:")
        res = {}
        for kind in ("datatable", "virtual"):
            got = [run_table(kind, root) for _ in range(runs)]
            res[kind] = got
        dt_ = _result("Textual DataTable", [g["ready"] for g in res["datatable"]])
        vt = _result("VirtualTable", [g["ready"] for g in res["virtual"]])
        print(table([dt_, vt], baseline=dt_))
        for kind, label in (("datatable", "DataTable"), ("virtual", "VirtualTable")):
            vals = [g["stall"] for g in res[kind]]  # the longest, from the app's start
            print(f"    worst stall, {label:<12} {statistics.median(vals) * 1000:6.0f} ms "
                  f"(max {max(vals) * 1000:.0f} ms)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "table":
            child_table(sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
        else:
            child_app(Path(sys.argv[3]), Path(sys.argv[4]), headless=kind == "headless",
                      why="--why" in sys.argv, threads="--threads" in sys.argv,
                      watch="--no-watch" not in sys.argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--why", action="store_true",
                        help="one more run per size that names what ran during each stall")
    args = parser.parse_args()
    import datetime as dt

    print(f"rmtui tui ({machine()}; {dt.date.today()}; load average "
          f"{os.getloadavg()[0]:.1f} at the start)")
    for n in args.participants:
        bench_size(n, args.runs, args.why)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
