import pytest

from vanguard.study.tests import factories


@pytest.fixture
def campaign(org):
    return factories.make_campaign(org)


@pytest.fixture
def session(org, campaign):
    return factories.make_session(org)
