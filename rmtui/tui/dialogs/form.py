"""A form generated from a JSON Schema, with each problem shown beside its field.

The dialog does not write anything: on ctrl+s it runs its ``check`` in a
worker (the same checks ``core.ops`` runs) and closes with the texts only when
nothing is wrong; the screen that opened it then makes the change.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from rmtui.tui.forms import GENERAL, FieldSpec

Check = Callable[[dict[str, str]], dict[str, str]]


class FormDialog(ModalScreen[dict[str, str] | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, fields: list[FieldSpec], texts: dict[str, str],
                 check: Check) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.texts = texts
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.form_title, classes="dialog-title", markup=False)
            yield Static("", id="error-general", classes="field-error", markup=False)
            with VerticalScroll():
                for f in self.fields:
                    label = f.name + (" *" if f.required else "")
                    yield Label(label, classes="field-label")
                    value = self.texts.get(f.name, "")
                    if f.choices:
                        options = [(c, c) for c in f.choices]
                        yield Select(options, value=value if value in f.choices else Select.NULL,
                                     allow_blank=True, id=f"field-{f.name}",
                                     prompt="(not set)")
                    else:
                        yield Input(value, placeholder=f.help[:60], id=f"field-{f.name}")
                    yield Static("", id=f"error-{f.name}", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        # the first field, not the scroller around the fields: typing goes in at once
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def collect(self) -> dict[str, str]:
        out = {}
        for f in self.fields:
            w = self.query_one(f"#field-{f.name}")
            if isinstance(w, Select):
                out[f.name] = "" if w.value is Select.NULL else str(w.value)
            else:
                out[f.name] = w.value  # type: ignore[attr-defined]
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.query_one("#error-general", Static).update("Checking…")
        self._check(self.collect())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, texts: dict[str, str]) -> None:
        try:
            errors = self.check(texts)
        except Exception as e:  # an unexpected failure is shown, the form stays open
            errors = {GENERAL: f"could not check the form: {e}"}
        self.app.call_from_thread(self._show, texts, errors)

    def _show(self, texts: dict[str, str], errors: dict[str, str]) -> None:
        if not errors:
            self.dismiss(texts)
            return
        known = {f.name for f in self.fields}
        general = [f"{k}: {v}" if k else v for k, v in errors.items() if k not in known]
        self.query_one("#error-general", Static).update(
            "Not saved: fix the fields marked below." + "".join(f"\n{g}" for g in general))
        first = None
        for f in self.fields:
            box = self.query_one(f"#error-{f.name}", Static)
            if f.name in errors:
                box.update(f"✗ {errors[f.name]}")
                box.add_class("shown")
                first = first or f.name
            else:
                box.update("")
                box.remove_class("shown")
        if first:
            self.query_one(f"#field-{first}").focus()
