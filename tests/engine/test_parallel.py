"""Jobs started in worker processes while the caller works on: results in job order."""

from __future__ import annotations

import os
import sys

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
