"""``rmtui response``: survey responses."""

from rmtui.cli.entity import make_group

group = make_group(
    "response",
    "Add, list, show, edit and remove survey responses.\n\nOne per person and survey, in "
    "responses/<survey>/<participant>.yaml.",
)
