"""Importing people from HR exports: both real files end to end, again, and in sync.

The two real exports (tests/fixtures/hr/, byte-for-byte copies of
shared/data/) are imported with the mappings in examples/; each program is
built once per run and copied for each test that changes it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from helpers import FIXTURES, git, tree_digest

from rmtui.core import importer, ops, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.importer import mapping as mapping_mod
from rmtui.core.importer import table as table_mod
from rmtui.core.model import Participant, from_dict
from rmtui.core.rules import OrgChart
from rmtui.core.store import Program

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HR = FIXTURES / "hr" / "hr_dataset_v14.csv"
IBM = FIXTURES / "hr" / "ibm_hr_attrition.csv"
HR_MAP = EXAMPLES / "hr_dataset_v14.toml"
IBM_MAP = EXAMPLES / "ibm_hr_attrition.toml"
SHARED = ROOT.parent / "shared" / "data"


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def subject(root: Path) -> str:
    return git(root, "log", "-1", "--format=%s").strip()


def changed_files(root: Path) -> list[str]:
    return git(root, "show", "--name-only", "--format=", "HEAD").split()


def people(root: Path) -> dict[str, dict]:
    return Program(root).data("participant")


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig",
               delimiter: str = ",") -> Path:
    """A CSV file as an HR system writes it: BOM, CRLF, quotes only where needed."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def edited(src: Path, dest: Path, changes: dict[int, dict[str, str]] = {},  # noqa: B006
           removed: tuple[int, ...] = (), **kw) -> Path:
    """A copy of ``src`` with cells changed (by data row number and column) and rows removed."""
    rows = rows_of(src)
    header = rows[0]
    for number, cells in changes.items():
        for column, value in cells.items():
            rows[number][header.index(column)] = value
    keep = [r for i, r in enumerate(rows) if i not in removed]
    return write_rows(dest, keep, **kw)


_BUILT: dict[str, Path] = {}


def _build(name: str, factory, rmtui) -> Path:
    if name not in _BUILT:
        root = factory.mktemp(name) / "prog"
        ops.init_program(root, f"{name} program")
        source, mapping = {"hr": (HR, HR_MAP), "ibm": (IBM, IBM_MAP)}[name]
        run = rmtui("-C", root, "import", "participants", source, "--mapping", mapping)
        assert run.code == 0, run.err
        _BUILT[name] = root
    return _BUILT[name]


@pytest.fixture
def hr(request, tmp_path_factory, tmp_path, rmtui) -> Path:
    """A program holding the HR v14 file, imported with examples/hr_dataset_v14.toml (a copy)."""
    built = _build("hr", tmp_path_factory, rmtui)
    shutil.copytree(built, tmp_path / "hr", symlinks=True)
    return tmp_path / "hr"


@pytest.fixture
def ibm(request, tmp_path_factory, tmp_path, rmtui) -> Path:
    built = _build("ibm", tmp_path_factory, rmtui)
    shutil.copytree(built, tmp_path / "ibm", symlinks=True)
    return tmp_path / "ibm"


@pytest.fixture
def empty(program: Program) -> Path:
    return program.root


# --------------------------------------------------------------------------
# The real files, end to end
# --------------------------------------------------------------------------


def test_fixture_copies_are_the_shared_files() -> None:
    if not SHARED.is_dir():
        pytest.skip("shared/data is not next to this clone")
    for name in ("hr_dataset_v14.csv", "ibm_hr_attrition.csv"):
        assert (FIXTURES / "hr" / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_hr_file_imports_end_to_end(hr: Path, rmtui) -> None:
    assert subject(hr) == "participant: import 311 from hr_dataset_v14.csv (311 added)"
    assert len(changed_files(hr)) == 311
    assert commits(hr) == 2  # init, then the import: one commit
    assert rmtui("-C", hr, "validate").code == 0
    assert (hr / "participants" / "wilson-k-adinolfi.yaml").read_text() == textwrap.dedent("""\
        id: wilson-k-adinolfi
        name: Wilson K Adinolfi
        role: mentor
        employee_id: '10026'
        manager_id: Michael Albert
        title: Production Technician I
        department: Production
        location: MA
        timezone: America/New_York
        languages:
          - en
        grade: 1
        hired: 2011-07-05
        birth_date: 1983-07-10
        gender: male
        ethnicity: White
        """)
    everyone = people(hr)
    assert len(everyone) == 311
    # "Ait Sidi, Karthikeyan   " and a padded department
    assert everyone["karthikeyan-ait-sidi"]["name"] == "Karthikeyan Ait Sidi"
    assert everyone["karthikeyan-ait-sidi"]["status"] == "left_company"
    assert Counter(p.get("status", "applied") for p in everyone.values()) == \
        {"applied": 207, "left_company": 104}
    assert Counter(p["role"] for p in everyone.values()) == {"mentor": 240, "mentee": 71}
    # two-digit birth years are in the past, four-digit hire dates are US style
    assert min(p["birth_date"] for p in everyone.values()) >= "1950-01-01"
    assert max(p["birth_date"] for p in everyone.values()) <= "1993-01-01"


def test_hr_reporting_lines_run_through_employee_ids(hr: Path) -> None:
    """ManagerID is a numbering of its own: managers are found by name, as EmpIDs."""
    everyone = people(hr)
    by_emp = {p["employee_id"]: pid for pid, p in everyone.items()}
    assert everyone["simon-roup"]["manager_id"] == everyone["jennifer-zamora"]["employee_id"]
    chart = OrgChart(from_dict(Participant, p) for p in everyone.values())
    chain = chart.chain(everyone["simon-roup"]["employee_id"], 5)
    assert [by_emp.get(e, e) for e in chain] == ["jennifer-zamora", "janet-king",
                                                 "Board of Directors"]
    # "Brandon R. LeBlanc" (ManagerID 1 and 3) is "LeBlanc, Brandon  R", employee 10134
    reports = [p for p in everyone.values() if p.get("manager_id") == "10134"]
    assert len(reports) == 7
    managers = Counter(p.get("manager_id") for p in everyone.values())
    assert managers["Webster Butler"] == 21  # ManagerID 39, or blank: one manager all the same
    assert sum(1 for m in managers if m and m.isdigit() and m in by_emp) == 16


def test_ibm_file_imports_end_to_end(ibm: Path, rmtui) -> None:
    assert subject(ibm) == "participant: import 1470 from ibm_hr_attrition.csv (1470 added)"
    assert commits(ibm) == 2
    assert rmtui("-C", ibm, "validate").code == 0
    assert (ibm / "participants" / "employee-1.yaml").read_text() == textwrap.dedent("""\
        id: employee-1
        name: Employee 1
        role: mentor
        employee_id: '1'
        title: Sales Executive
        department: Sales
        grade: 2
        status: left_company
        birth_year: 1976
        gender: female
        attributes:
          education_field: Life Sciences
          years_at_company: 6
        """)
    everyone = people(ibm)
    assert len(everyone) == 1470
    assert Counter(p["role"] for p in everyone.values()) == {"mentor": 1077, "mentee": 393}
    assert Counter(p["grade"] for p in everyone.values()) == \
        {1: 543, 2: 534, 3: 218, 4: 106, 5: 69}
    assert sum(p.get("status") == "left_company" for p in everyone.values()) == 237


@pytest.mark.parametrize("name", ["hr", "ibm"])
def test_importing_the_same_file_again_changes_nothing(name: str, request, rmtui) -> None:
    root = request.getfixturevalue(name)
    source, mapping = {"hr": (HR, HR_MAP), "ibm": (IBM, IBM_MAP)}[name]
    before, count = tree_digest(root), commits(root)
    run = rmtui("-C", root, "import", "participants", source, "--mapping", mapping, "--sync")
    assert run.code == 0, run.err
    assert "nothing to change" in run.err
    assert commits(root) == count
    assert tree_digest(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_sync_makes_exactly_the_changes_in_one_commit(hr: Path, tmp_path: Path, rmtui) -> None:
    source = edited(HR, tmp_path / "hr_sync.csv",
                    {5: {"Position": "Production Manager"},
                     50: {"Department": "Sales"},
                     100: {"ManagerName": "Simon Roup"}},
                    removed=(150,))
    count = commits(hr)
    run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--sync")
    assert run.code == 0, run.err
    assert commits(hr) == count + 1
    assert subject(hr) == "participant: import 310 from hr_sync.csv (3 updated, 1 left)"
    stat = git(hr, "show", "--stat", "--format=", "HEAD")
    assert "4 files changed" in stat
    assert sorted(changed_files(hr)) == [
        "participants/bartholemew-khemmich.yaml", "participants/carol-anderson.yaml",
        "participants/jennifer-cloninger.yaml", "participants/lisa-galia.yaml"]
    everyone = people(hr)
    assert everyone["carol-anderson"]["title"] == "Production Manager"
    assert (everyone["carol-anderson"]["grade"], everyone["carol-anderson"]["role"]) == \
        (5, "mentee")
    assert everyone["jennifer-cloninger"]["department"] == "Sales"
    assert everyone["lisa-galia"]["manager_id"] == everyone["simon-roup"]["employee_id"]
    assert everyone["bartholemew-khemmich"]["status"] == "left_company"  # kept, not deleted
    diff = git(hr, "show", "--format=", "HEAD", "--", "participants/jennifer-cloninger.yaml")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in
            ("+++", "---")] == ["-department: Production", "+department: Sales"]
    again = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--sync")
    assert again.code == 0 and commits(hr) == count + 1


def test_without_sync_people_missing_from_the_file_are_only_reported(hr, tmp_path, rmtui):
    source = edited(HR, tmp_path / "fewer.csv", removed=(150,))
    before = tree_digest(hr)
    run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--dry-run")
    assert run.code == 0, run.err
    assert "1 missing from the file (--sync marks them left_company)" in run.out
    assert "bartholemew-khemmich (employee_id 10231): status applied; --sync marks" in run.out
    real = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP)
    assert "nothing to change" in real.err
    assert tree_digest(hr) == before


def test_hand_edits_and_comments_survive_a_reimport(hr: Path, tmp_path: Path, rmtui) -> None:
    path = hr / "participants" / "carol-anderson.yaml"
    text = path.read_text()
    text = text.replace("title:", "# met at the kick-off; wants to learn Power BI\ntitle:")
    text += "skills:  # asked for by her manager\n  - Excel\ncapacity: 2\n"
    path.write_text(text)
    git(hr, "commit", "-qam", "hand edits")
    source = edited(HR, tmp_path / "promoted.csv", {5: {"Position": "Production Manager"}})
    run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP)
    assert run.code == 0, run.err
    assert changed_files(hr) == ["participants/carol-anderson.yaml"]
    assert path.read_text() == text.replace("title: Production Technician I",
                                            "title: Production Manager") \
        .replace("grade: 1", "grade: 5").replace("role: mentor", "role: mentee")


def test_ids_stay_when_names_change_and_new_names_get_suffixes(hr, tmp_path, rmtui) -> None:
    rows = rows_of(HR)
    header = rows[0]
    rows[1][header.index("Employee_Name")] = "Adinolfi-Berg, Wilson  K"
    twin = list(rows[3])
    twin[header.index("EmpID")] = "20001"  # a second Sarah Akinkuolie, a new employee
    rows.append(twin)
    run = rmtui("-C", hr, "import", "participants", write_rows(tmp_path / "names.csv", rows),
                "-m", HR_MAP)
    assert run.code == 0, run.err
    assert subject(hr) == "participant: import 312 from names.csv (1 added, 1 updated)"
    everyone = people(hr)
    assert everyone["wilson-k-adinolfi"]["name"] == "Wilson K Adinolfi-Berg"
    assert everyone["sarah-akinkuolie-2"]["employee_id"] == "20001"


def test_a_renamed_manager_keeps_their_reports(hr: Path, tmp_path: Path, rmtui) -> None:
    """Reports still name the manager's old name: the program knows who that was."""
    rows = rows_of(HR)
    header = rows[0]
    at = next(i for i, r in enumerate(rows) if r[header.index("EmpID")] == "10198")
    rows[at][header.index("Employee_Name")] = "Roup-Lindqvist, Simon"
    run = rmtui("-C", hr, "import", "participants", write_rows(tmp_path / "r.csv", rows),
                "-m", HR_MAP)
    assert run.code == 0, run.err
    assert changed_files(hr) == ["participants/simon-roup.yaml"]


# --------------------------------------------------------------------------
# Broken files: the row is named, nothing is written
# --------------------------------------------------------------------------


def _broken(kind: str, dest: Path) -> tuple[Path, str]:
    rows = rows_of(HR)
    header = rows[0]
    if kind == "latin-1":
        rows[57][0] = "Hélène, Marie"
        return write_rows(dest, rows, encoding="latin-1"), "row 57 (line 58)"
    if kind == "ragged":
        rows[120] = rows[120][:-1]
        return write_rows(dest, rows), "row 120 (line 121) has 35 cells"
    if kind == "bad date":
        rows[200][header.index("DOB")] = "13/45/83"
        return write_rows(dest, rows), "row 200 (line 201), column 'DOB': '13/45/83'"
    if kind == "duplicate employee_id":
        rows[30][1] = rows[10][1]
        return write_rows(dest, rows), "row 30 (line 31), column 'EmpID': employee_id " \
            "'10250' is also on row 10 (line 11)"
    if kind == "unknown position":
        rows[77][header.index("Position")] = "Chief Vibes Officer"
        return write_rows(dest, rows), "row 77 (line 78), column 'Position': 'Chief Vibes " \
            "Officer' is not in the field's map"
    if kind == "broken quote":
        text = HR.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        text[40] = text[40].replace('"', "", 1)[:20] + '"x"y,' + text[40][20:]
        dest.write_text("".join(text), encoding="utf-8")
        return dest, "line 41"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["latin-1", "ragged", "bad date", "duplicate employee_id",
                                  "unknown position", "broken quote"])
def test_broken_files_are_refused_naming_the_row(kind, hr, tmp_path, rmtui) -> None:
    source, named = _broken(kind, tmp_path / "broken.csv")
    before, count = tree_digest(hr), commits(hr)
    for args in ([], ["--dry-run"], ["--sync"]):
        run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, *args)
        assert run.code == 1, run.err
        assert named in run.err
        assert "nothing was imported" in run.err
        assert tree_digest(hr) == before and commits(hr) == count


def test_a_broken_file_writes_nothing_into_an_empty_program(empty, tmp_path, rmtui) -> None:
    source, _ = _broken("bad date", tmp_path / "broken.csv")
    run = rmtui("-C", empty, "import", "participants", source, "-m", HR_MAP)
    assert run.code == 1
    assert not (empty / "participants").exists() or not any((empty / "participants").iterdir())
    assert commits(empty) == 1


def test_a_latin1_file_imports_when_its_encoding_is_stated(hr, tmp_path, rmtui) -> None:
    source, _ = _broken("latin-1", tmp_path / "latin1.csv")
    run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--encoding", "cp1252")
    assert run.code == 0, run.err
    assert "cp1252 (as stated)" in run.err
    person = next(p for p in people(hr).values() if p["employee_id"] == rows_of(HR)[57][1])
    assert person["name"] == "Marie Hélène"


def test_an_excel_semicolon_file_imports_like_the_comma_file(hr, tmp_path, rmtui) -> None:
    rows = rows_of(HR)
    plain = write_rows(tmp_path / "comma.csv", rows)
    semi = write_rows(tmp_path / "semi.csv", rows, delimiter=";")
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"sep=;\r\n" + semi.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    for source in (semi, excel):
        run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--dry-run",
                    "-f", "json")
        assert run.code == 0, run.err
        assert "semicolon-separated" in run.err
        plan = json.loads(run.out)
        assert (len(plan["added"]), len(plan["updated"]), len(plan["unchanged"])) == (0, 0, 311)
    assert rmtui("-C", hr, "import", "participants", plain, "-m", HR_MAP).code == 0
    assert commits(hr) == 2


def test_oversized_files_are_refused(hr, monkeypatch, rmtui) -> None:
    monkeypatch.setattr(table_mod, "MAX_BYTES", 10_000)
    run = rmtui("-C", hr, "import", "participants", HR, "-m", HR_MAP)
    assert run.code == 1
    assert "hr_dataset_v14.csv is 0.1 MB; rmtui imports CSV files of at most" in run.err


# --------------------------------------------------------------------------
# Reading messy files
# --------------------------------------------------------------------------


def test_messy_but_readable_files(tmp_path: Path) -> None:
    raw = ("\ufeff Emp ID ;Full  Name;Dept\r\n"
           "7;\"Öberg,  Åsa \";\"Production    \"\r\n"
           "\r\n"
           "8;\"Nguyễn Văn Đức\";\r\n"
           "7;\"Öberg,  Åsa \";\"Production    \"\r\n"
           "9;\"two\nlines\";Sales\r\n")
    path = tmp_path / "messy.csv"
    path.write_bytes(raw.encode("utf-8"))
    table = importer.read_table(path)
    assert table.header == ["Emp ID", "Full Name", "Dept"]
    assert table.delimiter == ";" and table.encoding == "utf-8 with a byte-order mark"
    assert [(r.number, r.line, r.cells) for r in table.rows] == [
        (1, 2, ("7", "Öberg, Åsa", "Production")),
        (3, 4, ("8", "Nguyễn Văn Đức", "")),
        (5, 6, ("9", "two lines", "Sales"))]
    assert [(a.number, b.number) for a, b in table.repeated] == [(4, 1)]
    assert table.column("emp_id") == 0 and table.column("FULL NAME") == 1
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("id\tname\r\n1\tZoë\r\n".encode("utf-16"))
    t16 = importer.read_table(utf16)
    assert (t16.delimiter, t16.rows[0].cells, t16.encoding) == \
        ("\t", ("1", "Zoë"), "utf-16 (byte-order mark)")


@pytest.mark.parametrize(("raw", "message"), [
    (b"id,name\x00\n1,a\n", "a NUL byte at byte 7 (line 1)"),
    (b"", "has no header row"),
    (b"a,,c\n1,2,3\n", "column 2 has no name in the header, but row 1 (line 2) has a value"),
])
def test_unreadable_files(tmp_path: Path, raw: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(raw)
    with pytest.raises(DataError) as caught:
        importer.read_table(path)
    text = caught.value.message + "".join(d.message for d in caught.value.diagnostics)
    assert message in text


def test_two_digit_years_and_date_formats(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,name,dob,hired\n1,A,05/05/62,7/5/2011\n2,B,01/02/27,12/31/2026\n"
                    "3,C,01/02/28,1/1/2000\n")
    m = mapping_mod.mapping_from({"fields": {
        "employee_id": {"column": "id"}, "name": {"column": "name"},
        "birth_date": {"column": "dob", "date": "%m/%d/%y"},
        "hired": {"column": "hired", "date": ["%Y-%m-%d", "%m/%d/%Y"]}}}, path)
    table = importer.read_table(path)
    compiled = mapping_mod.Compiled(m, table)
    dob = [compiled.value(m.fields["birth_date"], r) for r in table.rows]
    assert dob == ["1962-05-05", "2027-01-02", "1928-01-02"]  # today is 2027-03-01
    assert [compiled.value(m.fields["hired"], r) for r in table.rows] == \
        ["2011-07-05", "2026-12-31", "2000-01-01"]
    m.fields["birth_date"].two_digit_year = 30
    assert [compiled.value(m.fields["birth_date"], r) for r in table.rows] == \
        ["1962-05-05", "2027-01-02", "2028-01-02"]


def test_mapping_shapes_values(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('no,last,first,skills,sex,level,lang\n'
                    '1,"Ait Sidi, Karthikeyan   ",x,"Python; SQL ;;Python",M ,L3,\n'
                    '2,King,y,-5,F,L7,sv\n')
    m = mapping_mod.mapping_from({"fields": {
        "employee_id": {"column": "no"},
        "name": {"column": "last", "transform": "last-first"},
        "skills": {"column": "skills", "split": ";"},
        "gender": {"column": "sex", "map": {"M": "male", "F": "female"}},
        "grade": {"column": "level", "map": {"L3": 3, "L7": 7}},
        "languages": {"column": "lang", "default": "en"},
        "cohort": {"template": "{first}-{no}"},
        "attributes": {"flag": {"value": True}, "n": {"column": "no", "type": "integer"}}}},
        path)
    table = importer.read_table(path)
    compiled = mapping_mod.Compiled(m, table)
    got = [{t: compiled.value(s, r) for t, s in m.fields.items()} for r in table.rows]
    assert got[0] == {"employee_id": "1", "name": "Karthikeyan Ait Sidi",
                      "skills": ["Python", "SQL"], "gender": "male", "grade": 3,
                      "languages": ["en"], "cohort": "x-1", "attributes.flag": True,
                      "attributes.n": 1}
    # a value beginning with "-" is a value, never an option
    assert got[1]["skills"] == ["-5"] and got[1]["name"] == "King"
    assert got[1]["languages"] == ["sv"]


@pytest.mark.parametrize(("text", "message"), [
    ('[fields.name]\ncolumn = "Employee_Name"\n[fields.employee_id]\ncolumn = "EmpID"\n'
     '[fields.nmae]\ncolumn = "x"\n', "5: error[mapping]: [fields.nmae]: a participant has no "
     "field 'nmae'"),
    ('[fields.name]\ncolumn = "Employee_Name"\n[fields.employee_id]\ncolumn = "EmpId"\n'
     '[fields.title]\ncolumn = "Postion"\n', "[fields.title]: hr_dataset_v14.csv has no column "
     "'Postion'"),
    ('[fields.name\ncolumn = 1\n', "1:"),
    ('[fields.name]\ncolumn = "Employee_Name"\n', "does not say where employee_id comes from"),
    ('[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Employee_Name"\n'
     'transform = "reverse"\n', "transform 'reverse' is not one of"),
    ('[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Employee_Name"\n'
     'value = "x"\n', "needs exactly one of column, template or value"),
    ('[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Employee_Name"\n'
     '[fields.id]\ncolumn = "EmpID"\n', "id cannot be imported"),
])
def test_mapping_problems_are_located(hr, tmp_path, rmtui, text: str, message: str) -> None:
    path = tmp_path / "map.toml"
    path.write_text(text)
    before = tree_digest(hr)
    run = rmtui("-C", hr, "import", "participants", HR, "-m", path, "--role", "mentor")
    assert run.code == 1, run.err
    assert message in run.err
    assert tree_digest(hr) == before


def test_role_comes_from_the_mapping_or_the_option(empty, tmp_path, rmtui) -> None:
    path = tmp_path / "p.csv"
    path.write_text("EmpID,Name,Department\nA1,Åsa Öberg,IT\nA2,Carl Berg,Sales\n")
    mapping = tmp_path / "p.toml"
    mapping.write_text('[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Name"\n')
    run = rmtui("-C", empty, "import", "participants", path, "-m", mapping)
    assert run.code == 2
    assert "pass --role mentor or --role mentee" in run.err
    run = rmtui("-C", empty, "import", "participants", path, "-m", mapping, "--role", "mentee")
    assert run.code == 0, run.err
    assert {p["role"] for p in people(empty).values()} == {"mentee"}


def test_a_file_whose_name_starts_with_a_dash(empty, tmp_path, rmtui, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-people.csv").write_text("EmpID,Name\nA1,Åsa Öberg\n")
    (tmp_path / "-map.toml").write_text(
        '[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Name"\n')
    run = rmtui("-C", empty, "import", "participants", "--role", "mentor", "--mapping",
                "-map.toml", "--", "-people.csv")
    assert run.code == 0, run.err
    assert list(people(empty)) == ["asa-oberg"]


# --------------------------------------------------------------------------
# What people see: the dry run and the proposed mapping
# --------------------------------------------------------------------------


def test_dry_run_says_what_would_change(hr, tmp_path, rmtui, snapshot) -> None:
    source = edited(HR, tmp_path / "hr_sync.csv",
                    {5: {"Position": "Production Manager"}, 50: {"Department": "Sales"},
                     100: {"ManagerName": "Simon Roup", "DOB": "02/03/81"}},
                    removed=(150,))
    rows = rows_of(source)
    rows.append(["Åkesson, Zoë", "20001"] + rows[1][2:])
    write_rows(source, rows)
    before = tree_digest(hr)
    run = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--sync", "--dry-run")
    assert run.code == 0, run.err
    assert tree_digest(hr) == before
    assert "dry run: nothing was written" in run.err
    assert run.out == snapshot
    as_json = rmtui("-C", hr, "import", "participants", source, "-m", HR_MAP, "--sync",
                    "--dry-run", "--format", "json")
    plan = json.loads(as_json.out)
    assert [a["id"] for a in plan["added"]] == ["zoe-akesson"]
    assert plan["missing"] == [{"id": "bartholemew-khemmich", "employee_id": "10231",
                                "status": "applied", "marked_left": True}]


@pytest.mark.parametrize("source", [HR, IBM], ids=["hr", "ibm"])
def test_proposed_mapping(source: Path, empty, tmp_path, rmtui, snapshot) -> None:
    before = tree_digest(empty)
    run = rmtui("-C", empty, "import", "participants", source)
    assert run.code == 0, run.err
    assert "nothing was imported: this is a proposed mapping" in run.err
    assert tree_digest(empty) == before
    assert run.out == snapshot
    saved = tmp_path / "proposal.toml"
    wrote = rmtui("-C", empty, "import", "participants", source, "--save-mapping", saved)
    assert wrote.code == 0 and wrote.out == ""
    assert saved.read_text() == run.out
    mapping = importer.load_mapping(saved)  # it reads back as a valid mapping
    again = rmtui("-C", empty, "import", "participants", source, "--save-mapping", saved)
    assert again.code == 2 and "already exists" in again.err
    role = [] if "role" in mapping.fields else ["--role", "mentor"]
    run = rmtui("-C", empty, "import", "participants", source, "-m", saved, *role)
    assert run.code == 0, run.err
    assert rmtui("-C", empty, "validate").code == 0


def test_proposals_read_headers_loosely(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("Employee Number,First Name,Last Name,E-Mail,Job Title,Reports To,"
                    "Hire Date,Gender,Skills\n"
                    "1,Åsa,Öberg,asa@example.com,Analyst,2,2020-01-31,F,Python; SQL\n"
                    "2,Carl,Berg,carl@example.com,CFO,,2010-05-01,M,\n")
    m = importer.propose(importer.read_table(path))
    shown = {t: (s.column or s.template) for t, s in m.fields.items()}
    assert shown == {"employee_id": "Employee Number", "name": "{First Name} {Last Name}",
                     "email": "E-Mail", "manager_id": "Reports To", "title": "Job Title",
                     "skills": "Skills", "hired": "Hire Date", "gender": "Gender"}
    assert m.fields["skills"].split == ";" and m.fields["hired"].date == ("%Y-%m-%d",)


def test_check_many_is_check_one_per_entity(hr: Path) -> None:
    """The batch check gives each entity what the single check gives it."""
    from rmtui.core import validate
    from rmtui.core.kinds import PARTICIPANT

    prog = Program(hr)
    data = prog.data("participant")
    items = {pid: dict(d) for pid, d in list(data.items())[:5]}
    items["janet-king"] = dict(data["janet-king"], manager_id=data["janet-king"]["employee_id"])
    items["simon-roup"] = dict(data["simon-roup"], grade="five")
    many = validate.check_entities(prog, PARTICIPANT, items)
    for pid, d in items.items():
        assert many[pid] == validate.check_entity(prog, PARTICIPANT, pid, d), pid
    assert [f.rule for f in many["janet-king"]] == ["reporting-line"]
    assert [f.rule for f in many["simon-roup"]] == ["schema"]


def test_core_plan_refuses_without_a_role(hr: Path) -> None:
    table = importer.read_table(IBM)
    m = importer.load_mapping(IBM_MAP)
    del m.fields["role"]
    with pytest.raises(UsageError):
        importer.make_plan(Program(hr), table, m)
    assert yamlio.is_iso_date("2027-03-01")


def test_only_new_fields_are_set_once_and_blank_keep_leaves_fields_alone(empty, tmp_path,
                                                                          rmtui) -> None:
    source = tmp_path / "p.csv"
    source.write_text("EmpID,Name,Team\nA1,Åsa Öberg,Data\nA2,Carl Berg,\n")
    mapping = tmp_path / "p.toml"
    body = ('[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Name"\n'
            '[fields.role]\nvalue = "mentor"\n'
            '[fields.cohort]\nvalue = "{cohort}"\nonly_new = true\n'
            '[fields.attributes.team]\ncolumn = "Team"\nblank = "keep"\n')
    mapping.write_text(body.replace("{cohort}", "wave-1"))
    assert rmtui("-C", empty, "import", "participants", source, "-m", mapping).code == 0
    assert people(empty)["asa-oberg"]["cohort"] == "wave-1"
    assert "attributes" not in people(empty)["carl-berg"]
    rmtui("-C", empty, "participant", "edit", "carl-berg", "--set", "attributes.team=Ops")
    mapping.write_text(body.replace("{cohort}", "wave-2"))
    run = rmtui("-C", empty, "import", "participants", source, "-m", mapping, "--no-commit")
    assert run.code == 0, run.err
    assert "nothing to change" in run.err
    assert people(empty)["asa-oberg"]["cohort"] == "wave-1"
    assert people(empty)["carl-berg"]["attributes"] == {"team": "Ops"}
    source.write_text("EmpID,Name,Team\nA1,Åsa Öberg,Platform\nA2,Carl Berg,\nA3,Dee Ng,\n")
    count = commits(empty)
    run = rmtui("-C", empty, "import", "participants", source, "-m", mapping, "--no-commit")
    assert run.code == 0, run.err
    assert "(not committed)" in run.err and commits(empty) == count
    assert people(empty)["asa-oberg"]["attributes"] == {"team": "Platform"}
    assert people(empty)["dee-ng"]["cohort"] == "wave-2"


def test_sync_refuses_an_empty_file_and_keys_match_loosely(hr, empty, tmp_path, rmtui) -> None:
    header_only = write_rows(tmp_path / "empty.csv", rows_of(HR)[:1])
    before = tree_digest(hr)
    run = rmtui("-C", hr, "import", "participants", header_only, "-m", HR_MAP, "--sync")
    assert run.code == 1 and "has no rows" in run.err
    assert tree_digest(hr) == before
    third = edited(HR, tmp_path / "third.csv", removed=tuple(range(1, 101)))
    run = rmtui("-C", hr, "import", "participants", third, "-m", HR_MAP, "--sync", "--dry-run")
    assert run.code == 0 and "to mark left_company" in run.out
    assert "warning: --sync marks" not in run.err  # fewer than half: no warning
    run = rmtui("-C", hr, "import", "participants",
                edited(HR, tmp_path / "tiny.csv", removed=tuple(range(1, 300))),
                "-m", HR_MAP, "--sync", "--dry-run")
    assert "warning: --sync marks" in run.err and "check that the file is the whole export" \
        in run.err
    # an employee number written by hand without quotes, an e-mail in other case
    (empty / "participants").mkdir(exist_ok=True)
    (empty / "participants" / "asa.yaml").write_text(
        "id: asa\nname: Åsa Öberg\nrole: mentor\nemployee_id: 7\nemail: Asa@Example.com\n")
    source = tmp_path / "p.csv"
    source.write_text("EmpID,Name,Mail\n7,Åsa Öberg,asa@example.com\n")
    mapping = tmp_path / "p.toml"
    mapping.write_text('[source]\nkey = "email"\n[fields.email]\ncolumn = "Mail"\n'
                       '[fields.employee_id]\ncolumn = "EmpID"\n[fields.name]\ncolumn = "Name"\n'
                       '[fields.role]\nvalue = "mentor"\n')
    run = rmtui("-C", empty, "import", "participants", source, "-m", mapping, "--dry-run",
                "-f", "json")
    assert run.code == 0, run.err
    plan = json.loads(run.out)
    assert plan["added"] == [] and [u["id"] for u in plan["updated"]] == ["asa"]
    assert {c["field"]: c["new"] for c in plan["updated"][0]["changes"]} == \
        {"email": "asa@example.com", "employee_id": "7"}


def test_people_back_in_the_export_are_no_longer_left(hr, tmp_path, rmtui) -> None:
    gone = edited(HR, tmp_path / "gone.csv", removed=(150,))
    assert rmtui("-C", hr, "import", "participants", gone, "-m", HR_MAP, "--sync").code == 0
    assert people(hr)["bartholemew-khemmich"]["status"] == "left_company"
    rehired = edited(HR, tmp_path / "rehired.csv",
                     {2: {"EmploymentStatus": "Active"}})  # Karthikeyan Ait Sidi, who had left
    run = rmtui("-C", hr, "import", "participants", rehired, "-m", HR_MAP, "--sync",
                "--dry-run")
    assert run.code == 0, run.err
    assert 'status: "left_company" -> "applied"' in run.out
    assert rmtui("-C", hr, "import", "participants", rehired, "-m", HR_MAP, "--sync").code == 0
    assert subject(hr) == "participant: import 311 from rehired.csv (2 updated)"
    everyone = people(hr)
    assert everyone["bartholemew-khemmich"]["status"] == "applied"
    assert everyone["karthikeyan-ait-sidi"]["status"] == "applied"
    assert everyone["sarah-akinkuolie"]["status"] == "left_company"  # still terminated


def test_a_proposal_without_employee_numbers_says_so(empty, tmp_path, rmtui) -> None:
    source = tmp_path / "p.csv"
    source.write_text("Full Name,Department\nÅsa Öberg,IT\n")
    run = rmtui("-C", empty, "import", "participants", source, "--dry-run", "--role", "mentor")
    assert run.code == 1
    assert "No column looks like the employee id" in run.out
    assert "the mapping does not say where employee_id comes from" in run.err
