"""``rmtui goal``: SMART goals."""

from rmtui.cli.entity import make_group

group = make_group(
    "goal",
    "Add, list, show, edit and remove SMART goals (owner, pair, measure, target, due date).",
)
