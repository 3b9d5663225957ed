"""The suite's processes keep a group together (tests/conftest.py: the tests sharing a build of
their file run in one process, which makes it once): xdist's scheduler reads the group from the
suffix ``@group`` of each test's id."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def kept():
    """A fixture this file keeps beyond one test: its tests form the group "test_suite8_groups"."""
    return os.getpid()


@pytest.mark.parametrize("n", [1, 2])
def test_a_group_is_named_in_the_id_the_scheduler_reads(request, kept, n):
    assert request.node.get_closest_marker("xdist_group").args == ("test_suite8_groups",)
    if request.config.getoption("loadgroup", False):  # run by a process of `--dist loadgroup`
        assert request.node.nodeid.endswith(f"[{n}]@test_suite8_groups")
    assert kept == os.getpid()  # both in the process that made the fixture


def test_a_test_of_no_group_keeps_its_id(request):
    assert request.node.get_closest_marker("xdist_group") is None
    assert request.node.nodeid.endswith("::test_a_test_of_no_group_keeps_its_id")
