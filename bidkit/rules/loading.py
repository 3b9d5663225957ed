"""Codes the loader reports while reading files and validating them against the models."""

from bidkit.findings import Severity
from bidkit.rules.registry import Rule, define

FILE_MISSING = define(
    "FIL001", Severity.ERROR, "Required file missing or unreadable",
    hint="Create the file (see `bidkit init` for a complete example) or fix its permissions.",
    explanation="""
A bid folder needs at least `bid.yaml`, the manifest that names the call and the city.
A call file named in `bid.yaml`, and files the bid refers to, must exist and be readable.
""",
)
FILE_REFUSED = define(
    "FIL002", Severity.ERROR, "File outside the bid folder or not a regular file",
    hint="Put the file itself into the bid folder (not a link to elsewhere) and name it relative to the folder.",
    explanation="""
A bid folder is read as untrusted input: bidkit reads only regular files inside it. A YAML file
or a call file that is a symbolic link leading out of the folder, a path with '..' or an
absolute path, a folder, a FIFO or a device in place of a file, a name with a NUL byte or one
too long for the file system — each is refused with this finding instead of being read.
Shipped call profiles are named by their id (`call: bitkom-digitale-stadt-2017`), not by path.
""",
)
SHEET_UNREADABLE = define(
    "FIL003", Severity.ERROR, "Spreadsheet table cannot be read",
    hint="Fix the spreadsheet at the reported place; README, 'Spreadsheets in', shows the layouts.",
    explanation="""
A year's `costs_file` or `funding_file`, or a goal's `kpis_file`, names a spreadsheet (.xlsx or
.csv) inside the bid folder whose rows take the place of the list in YAML. The file must be an
Excel workbook (a zip archive; an old .xls or a renamed file is not) or UTF-8 CSV, within the
size limits (a workbook that unpacks to a huge sheet is refused unread), name its sheet when it
has more than one, and hold a header row with the layout's columns and at least one row below
it. Values in the rows are checked like YAML values (SCH001 at the cell: `kosten.xlsx:Kosten!C7`).
""",
)
HIDDEN_YAML = define(
    "FIL004", Severity.INFO, "Hidden YAML file not read",
    hint="Rename the file without the leading '.' if it belongs to the bid; otherwise delete it or leave it.",
    explanation="""
bidkit reads the `*.yaml` and `*.yml` files of the bid folder, except hidden ones: a name that
starts with '.' (`.editorconfig.yaml`, an editor's `.#bid.yaml`) is not shown by `ls` or by most
file managers, so a reader of the bid would not see what it says. Such a file is not read, and
this finding names it. A setting such as `checks: ignore` belongs in bid.yaml, where reviewers see it.
""",
)
YAML_CASE = define(
    "FIL005", Severity.WARNING, "YAML file not read: its extension is not lower case",
    hint="Rename the file to end in .yaml (or .yml), in lower case.",
    explanation="""
bidkit reads the files of the bid folder whose names end in `.yaml` or `.yml`, written in lower
case. A file ending in `.YAML`, `.Yml` or another mix of cases is not read — on some systems
the case does not distinguish file names, so reading them would make a bid mean different things
on different computers. This warning names such a file so that its sections do not go missing
unnoticed.
""",
)
YAML_SYNTAX = define(
    "YML001", Severity.ERROR, "YAML syntax error",
    hint="Check indentation, colons and quotes near the reported line.",
    explanation="""
The file is not well-formed YAML, repeats a key in one mapping, or uses a YAML tag (`!name`).
Bid files hold plain data only. Text that contains `: ` or starts with `#`, `*`, `&`, `!`, `[` or
`{` must be quoted. Example: `title: "#WolfsburgDigital"`.
""",
)
WRONG_TYPE = define(
    "SCH001", Severity.ERROR, "Value has the wrong type or form",
    hint="Write the value in the form the field expects.",
    explanation="""
A value could not be read as what the field needs: dates as `YYYY-MM-DD` (`2016-12-05`; a day
that does not exist, such as `2017-02-30`, is refused), amounts as plain numbers without
thousands separators or `€` (`500000` or `1250.50`), whole numbers for years and populations,
one of the listed words for a choice, ids of lower-case letters, digits and `-` (`buergerdienste`
for "Bürgerdienste").

Amounts are read exactly or not at all. YAML reads `150.000` as the number 150 (the dot is a
decimal point), so an amount with more than two decimals is refused, as is text such as
`1.500.000` or `1.500,00`; the hint gives the plain form (`150000`, `1500000`, `1500.00`). A
quoted plain number (`"150000"`) is read like an unquoted one.
""",
)
UNKNOWN_KEY = define(
    "SCH002", Severity.ERROR, "Unknown key",
    hint="Remove the key or correct its spelling.",
    explanation="""
Every mapping in a bid accepts only the keys of its model, so that a misspelt key never hides
data silently. Keys are English; the hint suggests the key meant, by meaning for German words
(`ziele:` → `goals`, `maßnahmen:` → `measures`, `haushalt:` → `budget`; the list is
bidkit/data/german_keys.yaml) or else by spelling. A section written under a wrong key is
reported once, here: the rules that would find it missing stay quiet. `bidkit schema` lists all
keys, and editors that read the schema line at the top of each file complete them as you type.
""",
)
MISSING_FIELD = define(
    "SCH003", Severity.ERROR, "Required field missing",
    hint="Add the field to the reported mapping.",
    explanation="""
A mapping lacks a field that the model requires, e.g. a partner without `role` or a budget year
without `total`. The finding points at the mapping that should hold the field.
""",
)
DUPLICATE_SECTION = define(
    "SCH004", Severity.ERROR, "Section defined in two files",
    hint="Keep each top-level key in one file only: remove it from the file that holds the wrong one.",
    explanation="""
The YAML files of a bid folder are merged at the top level: `goals` may stand in `goals.yaml`
or in `bid.yaml`, but not in both. bidkit cannot know which of the two is meant, so it reads
neither: the checks of that section wait until one of them is removed.
""",
)
UNKNOWN_CALL = define(
    "CAL001", Severity.ERROR, "Unknown call",
    hint="Name a call profile shipped with bidkit or give a path to a call YAML file.",
    explanation="""
`call:` in `bid.yaml` selects the competition's rules: either the name of a profile shipped
with bidkit (e.g. `bitkom-digitale-stadt-2017`) or a path, relative to the bid folder, of a call
file of your own (`call: ./my-call.yaml`) with the same fields as the shipped profiles.
""",
)
CALL_INCONSISTENT = define(
    "CAL002", Severity.ERROR, "Call file names no field or contradicts itself",
    hint="Fix the call file at the reported line.",
    explanation="""
A call file of the bid's own (`call: ./calls/my-call.yaml`) is checked beyond its form: a text
limit whose `field` names no text of the bid (`visoin`, or `measures.description` for
`measures[].description`) would limit nothing without a word, so it is an error with the path
it most likely means; a thematic field id or a requirement id given twice, and a funding rate
and a minimum own share that together exceed 100 % of the costs (95 % and 15 %), cannot both be
what the call says.
""",
)
SWALLOWED_TEXT = define(
    "YML002", Severity.ERROR, "Text after ' #' read as a comment",
    hint="Quote the whole value, e.g. title: \"Aktionsprogramm #DigitaleStadt\"",
    explanation="""
In YAML, ` #` starts a comment. `title: Aktionsprogramm #WolfsburgDigital` therefore gives the
title "Aktionsprogramm" and silently drops the hashtag. A comment that starts like a hashtag
(`#` directly followed by a word) on the line of a value is almost always lost text, and a bid
that loses words is wrong: this is an error. Quote the value. Write real comments with a space
after `#` (`# like this`).
""",
)
BAD_CONFIG = define(
    "CFG001", Severity.ERROR, "Unknown rule code in the configuration",
    hint="Use a code listed by `bidkit rules`, or a prefix of one (e.g. PAR).",
    explanation="""
`checks: {ignore: [...], severity: {...}}` in bid.yaml and `--select`/`--ignore` name rules by
code or code prefix. A name that matches no rule is almost always a typo that would silently
change nothing. Rules the loader reports (files, syntax, schema) cannot be ignored or
downgraded: a bid that does not load cannot be judged.
""",
)


#: Codes the loader reports. They always apply: a bid that does not load cannot be judged.
LOADER_CODES = frozenset(value.code for value in list(globals().values()) if isinstance(value, Rule))
