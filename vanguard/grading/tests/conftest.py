"""The grading tests' common ground: the cast's branch_a1 in the committee's campaign."""

from __future__ import annotations

import pytest

from vanguard.grading import services
from vanguard.meetings.tests.factories import education_campaign


@pytest.fixture
def branch(org, cast):
    """branch_a1: formal members 李书记 (secretary), 王小明 (member), 张丽 (colleague)."""
    return org.branch_a1


@pytest.fixture
def campaign(org):
    return education_campaign(org.committee)


@pytest.fixture
def grading(campaign, branch):
    return services.grading_start(campaign=campaign, branch=branch)
