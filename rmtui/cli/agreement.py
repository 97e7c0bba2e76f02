"""``rmtui agreement``: learning agreements."""

from rmtui.cli.entity import make_group

group = make_group(
    "agreement",
    "Add, list, show, edit and remove learning agreements: one per pair, in agreements/<pair>.yaml.",
)
