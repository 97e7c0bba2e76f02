"""``rmtui goal``: SMART goals."""

from rmtui.cli.entity import make_group

group = make_group(
    "goal",
    "Add, list, show, edit and remove goals.\n\nSMART goals: owner, pair, measure, "
    "baseline, target and due date.",
)
