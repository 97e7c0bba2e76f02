"""Importing people from HR exports (Workday, SuccessFactors, BambooHR, a spreadsheet).

``table`` reads a CSV file robustly, ``mapping`` says how its columns become
participant fields (a TOML file the owner keeps and reuses), ``propose``
guesses a first mapping from the header, and ``plan`` works out what an
import would change: who is added, what changes field by field, who is
unchanged and who is missing from the file. The mutation itself is
:func:`rmtui.core.ops.imports.import_participants`.
"""

from rmtui.core.importer.mapping import FieldSpec, Mapping, load_mapping
from rmtui.core.importer.plan import Plan, make_plan
from rmtui.core.importer.propose import propose
from rmtui.core.importer.table import MAX_BYTES, Table, read_table

__all__ = ["MAX_BYTES", "FieldSpec", "Mapping", "Plan", "Table", "load_mapping", "make_plan",
           "propose", "read_table"]
