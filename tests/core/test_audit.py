from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from shieldhub.core.audit import audit_record, audit_verify, diff
from shieldhub.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entries(actor, n=3):
    return [
        audit_record(actor=actor, action="test.write", object_type="test.thing", object_id=i, changes={"v": [i, i + 1]})
        for i in range(n)
    ]


def test_entries_are_chained(coordinator):
    a, b, c = _entries(coordinator)
    assert (a.seq, b.seq, c.seq) == (1, 2, 3)
    assert b.prev_hash == a.hash and c.prev_hash == b.hash
    assert a.actor_label == "coordinator@test.example"
    result = audit_verify()
    assert result.ok and result.checked == 3


def test_entries_cannot_be_changed_or_deleted_through_the_orm(coordinator):
    (entry,) = _entries(coordinator, 1)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="x")


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_an_altered_entry(coordinator):
    _entries(coordinator, 4)
    _raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = %s", ["tampered", 3])
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.reason


def test_verify_names_a_removed_entry(coordinator):
    _entries(coordinator, 4)
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [2])
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 2


def test_verify_command_exit_codes(coordinator, capsys):
    _entries(coordinator, 2)
    call_command("audit", "verify")
    assert "2 entries" in capsys.readouterr().out
    _raw("UPDATE core_auditentry SET changes = %s WHERE seq = %s", ['{"v": [9, 9]}', 1])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "#1" in capsys.readouterr().err


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
