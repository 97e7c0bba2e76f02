"""``rmtui participant``: the people in the program."""

from rmtui.cli.entity import make_group

group = make_group(
    "participant",
    "Add, list, show, edit and remove participants.\n\nMentors are the juniors who teach, "
    "mentees the senior leaders who learn. One file per person in participants/.",
)
