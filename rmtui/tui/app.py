"""The app: one mode per screen, the program it works on, and the file watcher."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from rmtui.core.errors import RmtuiError
from rmtui.core.store import Program
from rmtui.tui.messages import OpenEntity, ProgramChanged

SCREENS = (  # mode, key, title
    ("dashboard", "1", "Dashboard"),
    ("people", "2", "People"),
    ("matching", "3", "Matching"),
    ("pairs", "4", "Pairs"),
    ("surveys", "5", "Surveys"),
    ("history", "6", "History"),
    ("problems", "7", "Problems"),
)


OWN_WRITE_GRACE = 5.0  # seconds in which the watcher's report of our own write is ours


def describe_changes(paths: list[str]) -> str:
    """``participant asa-oberg changed`` for a few paths, a count for many."""
    from rmtui.core.kinds import KINDS

    names = []
    for rel in paths:
        for kind in KINDS.values():
            prefix = kind.folder + "/"
            if rel.startswith(prefix) and rel.endswith(".yaml"):
                names.append(f"{kind.name} {rel[len(prefix):-5]}")
                break
        else:
            names.append(rel)
    shown = ", ".join(names[:3])
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{shown}{more} changed."


def as_error(e: Exception, doing: str, hint: str) -> RmtuiError:
    """What a worker shows for what it caught: an RmtuiError as it is, an OSError in its
    own words, anything else (a bug in rmtui) named after what was ``doing``, with
    ``hint`` (where to see more) rather than a traceback or a screen stuck loading."""
    if isinstance(e, RmtuiError):
        return e
    if isinstance(e, OSError):
        return RmtuiError(str(e))
    return RmtuiError(f"{doing}: {type(e).__name__}: {e}", hint=hint)


def _mode(name: str) -> Callable[[], Screen]:
    def make() -> Screen:
        import importlib

        module = importlib.import_module(f"rmtui.tui.screens.{name}")
        screen = module.SCREEN()
        # Textual parses all the app's CSS again, and restyles every widget of every
        # screen, when a mode's screen is made, in case the theme changed meanwhile
        # (45 ms, on the event loop, the first time each screen is opened). A new
        # screen's widgets are styled as they mount, with the current theme: mark
        # it up to date (if this Textual keeps that count; otherwise nothing changes).
        count = getattr(screen.app, "_css_update_count", None)
        if isinstance(count, int) and hasattr(screen, "_css_update_count"):
            screen._css_update_count = count
        return screen

    return make


class RmtuiApp(App):
    """rmtui's cockpit. ``root`` None opens the welcome screen."""

    # every screen's CSS is read at the start: a screen bringing CSS of its own has
    # Textual parse all the app's CSS again when it first opens (30-40 ms)
    CSS_PATH = ["app.tcss", *sorted(f"screens/{p.name}" for p in
                                    (Path(__file__).parent / "screens").glob("*.tcss"))]
    TITLE = "rmtui"
    MODES = {name: _mode(name) for name, _, _ in SCREENS}
    BINDINGS = [
        *(Binding(key, f"switch_mode('{name}')", title, show=False) for name, key, title in SCREENS),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    data_version: reactive[int] = reactive(0)

    def __init__(self, root: Path | None, *, watch: bool = True) -> None:
        super().__init__()
        self.program: Program = Program(root) if root is not None else None  # type: ignore[assignment]
        self._watching = watch
        self._stop = threading.Event()
        self._own: dict[str, float] = {}  # paths this app wrote, and when

    # -- starting -----------------------------------------------------------

    def on_mount(self) -> None:
        if self.program is None:
            from rmtui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
            return
        self.open_program(self.program.root)

    def open_program(self, root: Path) -> None:
        self.program = Program(root)
        self.title = f"rmtui · {self.program.settings_unchecked.get('program.name') or root.name}"
        self.switch_mode("dashboard")
        if self._watching:
            self.watch_files()
        self.call_after_refresh(self._warm_up)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import what People needs (core.ops, its validation, 86 ms) in a thread after
        the first paint, rather than on the event loop when 2 is pressed. Only that:
        importing every screen here (matching brings numpy) made the first key wait."""
        import rmtui.core.ops  # noqa: F401
        import rmtui.tui.screens.people  # noqa: F401

    def on_unmount(self) -> None:
        self._stop.set()

    # -- changes on disk ----------------------------------------------------------

    def watch_files(self) -> None:
        """Post :class:`ProgramChanged` when files of the program change on disk.

        The watcher runs in a child process (``jobs.watch_job``): setting it up walks
        the whole tree holding the GIL, about 1 s at 10,000 people. A daemon thread
        here only relays what it sends, and must not hold up the app's exit.
        """
        self._stop.set()
        self._stop = threading.Event()
        threading.Thread(target=self._watch_loop, args=(self.program.root, self._stop),
                         name="rmtui-watch", daemon=True).start()

    def _watch_loop(self, root: Path, stop: threading.Event) -> None:
        from rmtui.tui import jobs

        for message in jobs.run("rmtui.tui.jobs:watch_job", str(root), cancelled=stop.is_set):
            if message[0] == "changed":
                self.post_message(ProgramChanged(message[1]))
            elif message[0] == "error" and not stop.is_set():
                # no watching (too many files for inotify, say): say so, go on
                self.call_from_thread(self.notify, f"Not watching files for changes: "
                                      f"{message[1]}. Press ctrl+r to reload.",
                                      severity="warning", markup=False)

    @on(ProgramChanged)
    def _program_changed(self, event: ProgramChanged) -> None:
        self.program = Program(self.program.root)  # settings may have changed too
        now = time.monotonic()
        self._own = {p: t for p, t in self._own.items() if now - t < OWN_WRITE_GRACE}
        theirs = [p for p in event.paths if p not in self._own]
        if theirs:
            self.notify(describe_changes(theirs) + " Reloaded.", title="Changed on disk",
                        markup=False)
            self.data_version += 1

    @on(OpenEntity)
    def _open_entity(self, event: OpenEntity) -> None:
        """Show one entity on its screen (People for participants, Pairs for pairs...)."""
        mode = {"participant": "people", "pair": "pairs", "agreement": "pairs",
                "goal": "pairs", "session": "pairs", "survey": "surveys",
                "response": "surveys"}.get(event.kind)
        if mode is None:
            self.notify(f"There is no screen for a {event.kind}; its file is "
                        f"{event.entity_id}.", severity="warning")
            return
        self.switch_mode(mode)
        opener = getattr(self.screen, "open_entity", None)
        if opener is not None:
            self.call_after_refresh(opener, event.kind, event.entity_id)

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Wrap a worker thread's big load. The cycle collector stays off while it
        runs: a full collection in the worker walks every object the load has made
        so far, holding the GIL (40-85 ms at 10,000 people), and the event loop waits
        for it. At the end what was made is frozen (see :meth:`loaded`)."""
        import gc

        from rmtui.core.parallel import gc_paused

        with gc_paused():
            yield
            gc.freeze()

    def loaded(self) -> None:
        """Call after a screen takes in a big load: what exists now leaves the cycle
        collector's sight (``gc.freeze``), so its full passes, run on the event loop,
        do not walk a 10,000-person program's data again and again (pauses of 0.1 to
        0.25 s otherwise). Data dropped later is still freed by reference counting."""
        import gc

        gc.freeze()

    def action_reload(self) -> None:
        self.program = Program(self.program.root)
        self.data_version += 1
        self.notify("Reloaded from disk.")

    # -- changing the program -------------------------------------------------------

    def run_op(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
               **kwargs: Any) -> None:
        """Run a ``core.ops`` mutation in a worker; say what happened, or why not."""
        self._op_worker(partial(fn, *args, **kwargs), done)

    @work(thread=True, group="ops", exit_on_error=False)
    def _op_worker(self, call: Callable[[], Any], done: Callable[[Any], None] | None) -> None:
        try:
            out = call()
        except Exception as e:  # the program is left as the op left it
            self.call_from_thread(self.show_error, as_error(
                e, "internal error", "this is a bug in rmtui; `rmtui validate` checks the "
                "program; please report it"))
            return
        self.call_from_thread(self._op_done, out, done)

    def _op_done(self, out: Any, done: Callable[[Any], None] | None) -> None:
        message = getattr(out, "message", None)
        if message:
            warnings = getattr(out, "warnings", [])
            self.notify(message + "".join(f"\nwarning: {w}" for w in warnings),
                        title="Saved" if getattr(out, "commit", None) else "", markup=False)
        if getattr(out, "changed", True):
            now = time.monotonic()
            self._own.update((p, now) for p in getattr(out, "paths", []))
            self.data_version += 1
        if done is not None:
            done(out)

    def show_error(self, error: RmtuiError) -> None:
        text = error.message
        for d in error.diagnostics[:5]:
            text += f"\n{d.headline()}"
        if error.hint:
            text += f"\nhint: {error.hint}"
        self.notify(text, title="Not done", severity="error", timeout=10, markup=False)

    # -- help and the command palette ---------------------------------------------

    def action_help(self) -> None:
        from rmtui.tui.dialogs.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.program is None:
            return
        for name, key, title in SCREENS:
            yield SystemCommand(f"Go to {title}", f"Show the {title} screen (key {key})",
                                partial(self.switch_mode, name))
        yield SystemCommand("Reload", "Read the program from disk again (ctrl+r)",
                            self.action_reload)
        yield SystemCommand("Help", "Keys of this screen (?)", self.action_help)
        from rmtui.tui.screens.base import bindings_of

        for b in bindings_of(screen):
            if b.description:
                yield SystemCommand(f"{getattr(screen, 'TITLE_TEXT', '')}: {b.description}",
                                    f"key {b.key}", partial(screen.run_action, b.action))

    def compose(self) -> ComposeResult:
        return iter(())
