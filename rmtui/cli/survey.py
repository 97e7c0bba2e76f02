"""``rmtui survey``: survey instruments."""

from rmtui.cli.entity import make_group

group = make_group(
    "survey",
    "Add, list, show, edit and remove surveys.\n\nSurvey instruments: baseline, final, "
    "pulse, exit or custom.",
)
