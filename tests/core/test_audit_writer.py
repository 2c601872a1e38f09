"""One writer of the audit trail: only ``opora.audit`` touches ``AuditEvent``. Every other
module records, bulk-records, reads and forgets events through the functions of
``opora.audit`` (``record``, ``event``/``record_many``, ``timeline``, ``latest_moment``,
``forget``), so an event always has the same shape. Migrations work on historical models
and are left out."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "opora"
AUDIT = SRC / "audit"
# Names and strings through which a module would reach the model or its table.
MODEL_NAMES = {"AuditEvent"}
MODULE = "opora.audit.models"
TABLE_STRINGS = ("audit_auditevent", "audit.auditevent")


def _outside_modules():
    for path in sorted(SRC.rglob("*.py")):
        if AUDIT in path.parents or "migrations" in path.parts:
            continue
        yield path


def offences(source: str) -> list[str]:
    """What in ``source`` reaches ``AuditEvent`` other than through ``opora.audit``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(MODULE):
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.startswith(MODULE)]
        elif isinstance(node, ast.Name) and node.id in MODEL_NAMES:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in MODEL_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and any(table in node.value.lower() for table in TABLE_STRINGS)):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
    return found


def test_no_module_outside_audit_reaches_the_audit_model():
    reached = {str(path.relative_to(SRC)): found for path in _outside_modules()
               if (found := offences(path.read_text(encoding="utf-8")))}
    assert reached == {}


@pytest.mark.parametrize(("source", "expected"), [
    ("from opora.audit.models import AuditEvent\n", ["line 1: from opora.audit.models import …"]),
    ("import opora.audit.models\n", ["line 1: import opora.audit.models"]),
    ("AuditEvent.objects.bulk_create(events)\n", ["line 1: AuditEvent"]),
    ("x = 1\nmodels.AuditEvent.objects.all()\n", ["line 2: .AuditEvent"]),
    ("apps.get_model('audit.AuditEvent')\n", ["line 1: 'audit.AuditEvent'"]),
    ("cursor.execute('DELETE FROM audit_auditevent')\n", ["line 1: 'DELETE FROM audit_auditevent'"]),
    ("audit.record(actor, 'registry.program.created', program)\n", []),
])
def test_the_check_sees_each_way_of_reaching_the_model(source, expected):
    assert offences(source) == expected
