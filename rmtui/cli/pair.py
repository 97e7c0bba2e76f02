"""``rmtui pair``: mentor-mentee pairs."""

from rmtui.cli.entity import make_group

group = make_group(
    "pair",
    "Add, list, show, edit and remove pairs.\n\nA pair is one mentor and one mentee, checked "
    "against the program's hard rules (program.toml [rules]) before it is saved.",
)
