"""Races on PostgreSQL with 50 threads over ten engines: one winner, a clear Conflict for every
other racer, zero lost updates, and a consistent database afterwards.

A small run of ``bench/races.py`` (the same code): a few hundred racing operations.
"""

import pytest

from bench.races import Arena, play

RACERS = 50


@pytest.fixture
def arena(postgres_url):
    arena = Arena(postgres_url, RACERS)
    yield arena
    arena.close()


def clean(tally) -> None:
    assert tally.problems == [], tally.problems  # every loser got a Conflict; the integrity check found nothing
    assert tally.lost == 0


def test_fifty_racers_claiming_one_task_one_wins(arena):
    tally = play(arena, "claim", operations=2 * RACERS)
    clean(tally)
    assert (tally.rounds, tally.operations, tally.winners, tally.conflicts) == (2, 100, 2, 98)
    assert set(tally.messages) <= {"该待办事项「审查决定」已被他人认领 (the task is already claimed by someone else)",
                                   "您已认领待办事项「审查决定」 (the task is already claimed by you)"}


def test_fifty_racers_completing_one_task_one_completes(arena):
    tally = play(arena, "complete", operations=2 * RACERS)
    clean(tally)
    assert (tally.rounds, tally.operations, tally.winners, tally.conflicts) == (2, 100, 2, 98)
    assert set(tally.messages) == {"待办事项「审查决定」已办结，不能再办理 (the task is already completed)"}


def test_two_clerks_correcting_the_same_case_one_wins(arena):
    tally = play(arena, "correct", operations=RACERS)
    clean(tally)
    cases = RACERS // 2
    assert (tally.operations, tally.winners, tally.conflicts) == (2 * cases, cases, cases)
    assert set(tally.messages) == {"待办事项「补正材料」已办结，不能再办理 (the task is already completed)"}


def test_the_timer_and_the_clerk_issuing_the_notice_exactly_one_acts(arena):
    tally = play(arena, "timer", operations=30)
    clean(tally)
    cases = tally.rounds * (RACERS // 5)
    assert tally.operations == cases + tally.rounds  # the clerks and one scheduler tick per round
    assert tally.winners == cases  # per case: the notice issued, or the timer fired
    assert tally.conflicts == tally.outcomes["timer fired"]  # the clerk too late is told so
    assert set(tally.messages) <= {"待办事项「出具一次性告知书」已取消，不能再办理 (the task is already cancelled)"}


def test_the_deadline_sweep_and_approvers_deciding_late_cases_lose_nothing(arena):
    tally = play(arena, "sweep", operations=30)
    clean(tally)  # every decision kept, every late day charged exactly once
    cases = tally.rounds * (RACERS // 5)
    assert (tally.winners, tally.conflicts) == (cases, 0)
    assert sum(tally.outcomes.values()) == cases
