"""The ballot's schema holds no voter, code, receipt, time or sequential id, and
nothing anywhere points from a card or a voter to a ballot."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.db import connection

from vanguard.ballots.models import Ballot, RollEntry, VotingCard

pytestmark = pytest.mark.django_db

FORBIDDEN = (
    "member",
    "voter",
    "user",
    "code",
    "receipt",
    "card",
    "roll",
    "time",
    "_at",
    "date",
    "created",
    "updated",
    "seq",
    "number",
    "order",
    "ip",
    "address",
    "agent",
)


def _columns(model) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {col.name: col.type_code for col in description}


def test_the_ballot_table_has_only_a_random_id_the_session_and_the_grades():
    # `sealed`: the same grades, encrypted, while the vote is open (sealing.py).
    assert set(_columns(Ballot)) == {"id", "session_id", "grades", "sealed"}
    for name in _columns(Ballot):
        assert not any(word in name for word in FORBIDDEN), name


def test_the_ballot_id_is_random_not_sequential():
    pk = Ballot._meta.pk
    assert pk.get_internal_type() == "UUIDField"
    assert pk.default is uuid.uuid4  # version 4: random, no clock, no counter


def test_nothing_points_at_a_ballot_and_cards_point_at_no_member():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete:
                assert field.related_model is not Ballot, f"{model.__name__}.{field.name}"
    card_relations = {f.related_model for f in VotingCard._meta.concrete_fields if f.is_relation}
    assert card_relations == {VotingCard._meta.get_field("session").related_model}
    assert set(_columns(VotingCard)) == {"id", "session_id", "code_hash", "receipt", "used", "void"}


def test_the_roll_has_a_has_voted_mark_but_no_time_or_ballot():
    assert set(_columns(RollEntry)) == {
        "id",
        "session_id",
        "member_id",
        "is_candidate",
        "present",
        "login_voted",
        "card_drawn",
    }
