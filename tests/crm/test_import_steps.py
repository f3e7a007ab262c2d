"""crm_sync/importing/steps.py: Python work done in steps while PostgreSQL runs a statement."""

import time

import pytest
from django.db import connection, transaction

from crm_sync.importing.steps import Background, steps_run, working_while_waiting

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="waits on psycopg's socket")


def _stepper(log: list, steps: int):
    for n in range(steps):
        log.append((n, time.monotonic()))
        yield
    return "planned"


def _sleep(seconds: float) -> float:
    """Run a statement that keeps the server busy; return when its result arrived."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)" if connection.vendor == "postgresql" else "SELECT %s",
                       [seconds])
        cursor.fetchone()
    return time.monotonic()


def test_steps_run_returns_what_the_generator_returns():
    log = []
    assert steps_run(_stepper(log, 5)) == "planned"
    assert [n for n, _ in log] == [0, 1, 2, 3, 4]


@on_postgres
@pytest.mark.django_db
def test_the_work_runs_while_the_server_is_busy_with_a_statement():
    log = []
    work = Background(_stepper(log, 50))

    with working_while_waiting(connection, work):
        answered = _sleep(0.3)

    assert work.done  # every step ran inside the statement's wait...
    assert log[-1][1] < answered  # ...before its answer was read
    assert work.result() == "planned"
    assert _sleep(0) and "wait" not in vars(connection.connection)  # psycopg's own wait is back


@on_postgres
@pytest.mark.django_db
def test_a_failing_step_neither_breaks_the_statement_nor_is_lost():
    def failing():
        yield
        raise ValueError("bad row")

    work = Background(failing())
    with working_while_waiting(connection, work):
        _sleep(0.1)
        with connection.cursor() as cursor:  # the connection is in a clean state
            cursor.execute("SELECT 41 + 1")
            assert cursor.fetchone() == (42,)

    with pytest.raises(ValueError, match="bad row"):
        work.result()


@pytest.mark.django_db
def test_without_waits_to_fill_the_work_runs_when_its_result_is_asked_for():
    log = []
    work = Background(_stepper(log, 3))
    with working_while_waiting(connection, work):
        pass  # no statement

    assert not work.done
    assert work.result() == "planned" and len(log) == 3


@on_postgres
@pytest.mark.django_db
def test_an_interrupt_during_a_wait_cancels_the_statement_as_psycopg_would():
    def interrupted():
        yield
        raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), working_while_waiting(connection, Background(interrupted())), \
            transaction.atomic():
        _sleep(30)

    assert time.monotonic() - started < 10  # cancelled, not waited out
    with connection.cursor() as cursor:  # and the connection is fit for the next statement
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
