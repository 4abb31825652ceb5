"""Jobs started in worker processes while the caller works on: results in job order."""

from __future__ import annotations

import os
import sys
import time

import pytest

from actm.engine import parallel


def _pid() -> int:
    return os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_one_job_started_gets_a_worker_of_its_own() -> None:
    results = parallel.start_all([_pid], 2)
    assert results() != [os.getpid()]


def test_started_jobs_give_their_results_in_job_order() -> None:
    jobs = [lambda i=i: i * i for i in range(5)]
    results = parallel.start_all(jobs, 2)
    here = sum(range(1000))  # the caller works meanwhile
    assert (here, results()) == (499500, [0, 1, 4, 9, 16])


def test_no_job_started_gives_no_result() -> None:
    assert parallel.start_all([], 2)() == []


def _slow_pid() -> int:
    time.sleep(0.1)
    return os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_batch_started_while_another_runs_leaves_its_jobs_to_its_workers() -> None:
    """The residual run's route reruns run while its needs and tolerance search start: the
    second batch's workers must not take the first batch's jobs (its shared job counter must
    stay its own until its workers are done), or the first batch's jobs end up run here."""
    first = parallel.start_all([_slow_pid] * 5, 1)
    time.sleep(0.15)  # the first worker is at its second job
    second = parallel.start_all([_pid] * 5, 1)
    assert os.getpid() not in second()
    assert os.getpid() not in first()
