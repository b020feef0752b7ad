"""The tree: placement rules, unique codes, moves without cycles, incremental counters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himpun.core.models import AuditEntry
from himpun.core.scoping import ancestor_ids, path_upper, subtree_q
from himpun.structure.models import OrgUnit, UnitCounter
from himpun.structure.services import (
    MEMBERS,
    unit_count_adjust,
    unit_counts_adjust,
    unit_counts_rebuild,
    unit_create,
    unit_move,
)
from tests import factories


def total(unit: OrgUnit) -> int:
    row = UnitCounter.objects.filter(unit=unit, key=MEMBERS).first()
    return row.total if row else 0


def test_path_encodes_ancestors_and_subtree_is_one_range(db):
    org = factories.org()
    a = factories.unit(org)
    leaf = factories.unit(a)
    assert ancestor_ids(leaf.path) == [org.pk, a.pk, leaf.pk]
    assert leaf.depth == 2
    assert path_upper("00000001") == "00000002"
    inside = set(OrgUnit.objects.filter(subtree_q("path", a.path)).values_list("pk", flat=True))
    assert inside == {a.pk, leaf.pk}


def test_kind_must_be_allowed_under_parent(db):
    org = factories.org(kinds=("Konfederasi", "Federasi", "PUK"))
    puk_kind = org.level_kinds.get(code="puk")
    with pytest.raises(ValidationError, match="tidak boleh berada di bawah"):
        unit_create(actor=None, parent=org, kind=puk_kind, code="X", name="PUK langsung")
    assert not OrgUnit.objects.filter(code="X").exists()


def test_kind_of_another_organisation_is_refused(db):
    org1, org2 = factories.org(), factories.org()
    kind2 = org2.level_kinds.get(code="federasi")
    with pytest.raises(ValidationError, match="organisasi lain"):
        unit_create(actor=None, parent=org1, kind=kind2, code="X", name="Salah")


def test_code_unique_within_organisation_only(db):
    org1, org2 = factories.org(), factories.org()
    factories.unit(org1, "SAMA")
    with pytest.raises(ValidationError, match="sudah dipakai"):
        factories.unit(org1, "SAMA")
    assert factories.unit(org2, "SAMA").organisation_id == org2.pk


def test_move_rewrites_subtree_and_refuses_cycles(db):
    org = factories.org(kinds=("Konfederasi", "Federasi", "Federasi2"))
    org.level_kinds.get(code="federasi").parents.add(org.level_kinds.get(code="federasi2"))
    f1, f2 = factories.unit(org, "F1"), factories.unit(org, "F2")
    child = factories.unit(f1, "C1")
    grandchild = factories.unit(child, "G1", kind_index=1)
    with pytest.raises(ValidationError, match="turunannya"):
        unit_move(actor=None, unit=f1, new_parent=grandchild)
    with pytest.raises(ValidationError, match="turunannya"):
        unit_move(actor=None, unit=f1, new_parent=f1)
    unit_move(actor=None, unit=child, new_parent=f2)
    grandchild.refresh_from_db()
    assert ancestor_ids(grandchild.path) == [org.pk, f2.pk, child.pk, grandchild.pk]
    assert grandchild.depth == 3
    assert AuditEntry.objects.filter(action="move", object_id=str(child.pk)).exists()


def test_move_refuses_kind_not_allowed_and_other_organisation(db):
    org = factories.org(kinds=("Konfederasi", "Federasi", "PUK"))
    fed = factories.unit(org)
    puk = factories.unit(fed)
    other_fed = factories.unit(org)
    with pytest.raises(ValidationError, match="tidak boleh berada di bawah"):
        unit_move(actor=None, unit=puk, new_parent=org)
    with pytest.raises(ValidationError, match="organisasinya"):
        unit_move(actor=None, unit=puk, new_parent=factories.org())
    unit_move(actor=None, unit=puk, new_parent=other_fed)
    puk.refresh_from_db()
    assert puk.parent_id == other_fed.pk


def test_counters_roll_up_and_follow_moves(db):
    org = factories.org()
    f1, f2 = factories.unit(org), factories.unit(org)
    p1 = factories.unit(f1)
    unit_count_adjust(unit=p1, key=MEMBERS, delta=7)
    unit_count_adjust(unit=f1, key=MEMBERS, delta=3)
    assert (total(org), total(f1), total(p1), total(f2)) == (10, 10, 7, 0)
    unit_move(actor=None, unit=p1, new_parent=f2)
    assert (total(org), total(f1), total(p1), total(f2)) == (10, 3, 7, 7)
    p1.refresh_from_db()  # the path changed
    unit_count_adjust(unit=p1, key=MEMBERS, delta=-2)
    assert (total(org), total(f2)) == (8, 5)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=25),
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.integers(-3, 9)), max_size=40
    ),
    moves=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6),
)
def test_incremental_counters_equal_a_rebuild(db, shape, changes, moves):
    """Whatever the tree, adjustments and moves, every unit's total equals the sum of the
    direct counts of its subtree (what a full rebuild computes)."""
    UnitCounter.objects.all().delete()
    other = factories.org()
    unit_count_adjust(unit=other, key=MEMBERS, delta=7)  # another organisation's count
    org = organisation_for_hypothesis()
    units = [org]
    for pick in shape:
        units.append(factories.unit(units[pick % len(units)], kind_index=1))
    direct: dict[int, int] = {}
    for pick, delta in changes:
        u = units[pick % len(units)]
        unit_count_adjust(unit=u, key=MEMBERS, delta=delta)
        direct[u.pk] = direct.get(u.pk, 0) + delta
    for a, b in moves:
        mover, target = units[1 + a % (len(units) - 1)], units[b % len(units)]
        mover.refresh_from_db()
        target.refresh_from_db()
        if target.path.startswith(mover.path):
            continue
        unit_move(actor=None, unit=mover, new_parent=target)
    incremental = {
        (u, d, t)
        for u, d, t in UnitCounter.objects.filter(key=MEMBERS, unit__organisation=org).values_list(
            "unit_id", "direct", "total"
        )
        if d or t
    }
    unit_counts_rebuild(organisation_id=org.pk, key=MEMBERS, direct=direct)
    rebuilt = {
        (u, d, t)
        for u, d, t in UnitCounter.objects.filter(key=MEMBERS, unit__organisation=org).values_list(
            "unit_id", "direct", "total"
        )
        if d or t
    }
    assert incremental == rebuilt
    assert UnitCounter.objects.get(unit=other, key=MEMBERS).total == 7  # left alone


def organisation_for_hypothesis() -> OrgUnit:
    """One flexible organisation per example: a single kind that may sit under itself."""
    org = factories.org(kinds=("Organisasi", "Kelompok"))
    group = org.level_kinds.get(code="kelompok")
    group.parents.add(group)
    return org


def test_batch_adjustments_equal_single_ones(db):
    org = factories.org()
    a, b = factories.unit(org), factories.unit(org)
    unit_counts_adjust(deltas={(a.path, MEMBERS): 5, (b.path, MEMBERS): 2, (org.path, "x"): 1})
    assert (total(org), total(a), total(b)) == (7, 5, 2)
    assert UnitCounter.objects.get(unit=org, key="x").direct == 1
