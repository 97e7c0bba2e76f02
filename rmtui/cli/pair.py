"""``rmtui pair``: mentor-mentee pairs."""

from rmtui.cli.entity import make_group

group = make_group(
    "pair",
    "Add, list, show, edit and remove pairs of a mentor and a mentee. A pair is checked "
    "against the program's hard rules (program.toml [rules]) before it is saved.",
)
