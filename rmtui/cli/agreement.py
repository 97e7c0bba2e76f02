"""``rmtui agreement``: learning agreements."""

from rmtui.cli.entity import make_group

group = make_group(
    "agreement",
    "Add, list, show, edit and remove learning agreements.\n\nOne per pair, in "
    "agreements/<pair>.yaml.",
)
