"""The light table of import formats (importers/names.py) agrees with the importers: the
command line lists ``actm import --format`` from it without loading any importer."""

from __future__ import annotations

import subprocess
import sys

import actm.api
from actm.importers.formats import IMPORTERS
from actm.importers.names import DESCRIPTIONS


def test_the_table_names_every_importer_in_order_with_its_description() -> None:
    assert list(DESCRIPTIONS) == list(IMPORTERS)
    assert {n: i.description for n, i in IMPORTERS.items()} == dict(DESCRIPTIONS)
    assert dict(DESCRIPTIONS) == actm.api.IMPORT_FORMATS


def test_the_api_and_command_line_load_no_importer_or_planner_until_used() -> None:
    code = (
        "import sys, actm, actm.cli.app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('actm.importers.', 'actm.plan'))))\n"
        "actm.make_plan\n"
        "actm.api.Imported\n"
        "actm.api.Discovery\n"
        "print('actm.plan' in sys.modules, 'actm.importers.run' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["['actm.importers.names']", "True True"]
