"""Where subject tasks run: a Dask cluster, local or remote.

- By default a :class:`distributed.LocalCluster` of worker processes with one
  thread each (torch runs its own threads inside a task), one worker per CPU
  core, or one per GPU when GPUs exist;
- ``scheduler="tcp://host:8786"`` connects to a running cluster;
- ``cluster_config="pipelines/slurm.toml"`` starts a dask-jobqueue cluster
  (SLURM, PBS, SGE, LSF) described in TOML (see ``docs/group.md``).

GPUs are a worker resource named ``"GPU"``: each local worker declares
``GPU=1`` and is pinned to its own device, and tasks that need one ask for
``{"GPU": 1}`` so that no two run on one device at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

logger = logging.getLogger(__name__)

#: dask-jobqueue cluster classes by the ``kind`` of a cluster configuration.
JOBQUEUE_KINDS: dict[str, str] = {
    "slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster", "lsf": "LSFCluster",
}

#: Name of the worker resource that counts GPUs.
GPU_RESOURCE = "GPU"


def available_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gpu_count() -> int:
    """Number of CUDA devices visible to torch (0 without torch or CUDA)."""
    try:
        import torch
    except ImportError:
        return 0
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


class PinGPU(WorkerPlugin):
    """Give each local worker its own GPU: ``CUDA_VISIBLE_DEVICES`` = worker number mod GPUs.

    Parameters
    ----------
    n_gpus : int
        GPUs on the machine.
    """

    name = "fmri-oinfo-pin-gpu"

    def __init__(self, n_gpus: int) -> None:
        self.n_gpus = n_gpus

    def setup(self, worker: Any) -> None:
        number = worker.name if isinstance(worker.name, int) else abs(hash(worker.name))
        os.environ["CUDA_VISIBLE_DEVICES"] = str(number % self.n_gpus)


class QuietWorkerLog(WorkerPlugin):
    """Keep a local worker's own Dask log (heartbeats failing while the cluster shuts down) off the terminal.

    Subject failures travel in their outcomes and Dask-level failures reach
    the calling process; what a worker logs itself is noise on a shared
    terminal.  ``-vv`` on the command line leaves it on.
    """

    name = "fmri-oinfo-quiet-worker-log"

    def setup(self, worker: Any) -> None:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)


def jobqueue_cluster(path: str | Path) -> tuple[Any, int]:
    """Build the dask-jobqueue cluster described by a TOML file.

    The file has a ``[cluster]`` table with ``kind`` (``slurm``, ``pbs``,
    ``sge``, ``lsf``) and ``jobs`` (workers to submit), and a
    ``[cluster.options]`` table passed to the dask-jobqueue class
    (``cores``, ``memory``, ``walltime``, ``queue``, ``job_extra_directives``...).

    Returns
    -------
    cluster : dask_jobqueue.JobQueueCluster
        Not yet scaled.
    jobs : int
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--cluster-config {path} does not exist; see pipelines/slurm.toml.")
    content = tomllib.loads(path.read_text())
    table = content.get("cluster")
    if not isinstance(table, dict):
        raise ValueError(f"{path} has no [cluster] table; see pipelines/slurm.toml.")
    kind = table.get("kind")
    if kind not in JOBQUEUE_KINDS:
        raise ValueError(f"{path}: cluster.kind={kind!r}; use one of {list(JOBQUEUE_KINDS)}.")
    jobs = table.get("jobs", 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"{path}: cluster.jobs={jobs!r}; give a positive integer.")
    unknown = sorted(set(table) - {"kind", "jobs", "options"})
    if unknown:
        raise ValueError(f"{path}: [cluster] unknown keys {unknown}; known keys are ['jobs', 'kind', 'options'].")
    try:
        import dask_jobqueue
    except ImportError:
        raise ValueError(
            f"{path} asks for a {kind} cluster, which needs dask-jobqueue: pip install dask-jobqueue."
        ) from None
    cluster_class = getattr(dask_jobqueue, JOBQUEUE_KINDS[kind])
    return cluster_class(**table.get("options", {})), jobs


@contextlib.contextmanager
def _deaf_to_ctrl_c(processes: bool) -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C (SIGINT), then restore this process's handler.

    A terminal sends Ctrl-C to every process of the command; worker processes
    killed by it mid-task leave the cluster's queues unreleased ("leaked
    semaphore" warnings at exit).  An ignored signal stays ignored in a child
    (``spawn`` included), so only this process stops, and closing the cluster
    stops the workers in order.
    """
    if not processes or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None,
    n_workers: int | None = None,
    cluster_config: str | Path | None = None,
    processes: bool = True,
    quiet: bool = False,
) -> Iterator[Client]:
    """A connected :class:`distributed.Client`, closed (with its cluster) on exit.

    Parameters
    ----------
    scheduler : str or None
        Address of a running scheduler (``tcp://host:8786``); the cluster is
        left running on exit.
    n_workers : int or None
        Workers of the local cluster; default: one per GPU when GPUs exist,
        else one per CPU core.
    cluster_config : str, pathlib.Path or None
        TOML description of a dask-jobqueue cluster (:func:`jobqueue_cluster`).
    processes : bool, default=True
        Local workers as processes (False: threads of this process; for tests).
    quiet : bool, default=False
        Local worker processes log nothing of their own (:class:`QuietWorkerLog`).

    Yields
    ------
    distributed.Client
    """
    if sum(x is not None for x in (scheduler, n_workers, cluster_config)) > 1:
        raise ValueError("give at most one of --scheduler, --workers and --cluster-config.")
    if n_workers is not None and (isinstance(n_workers, bool) or n_workers < 1):
        raise ValueError(f"--workers {n_workers}; give a positive number of workers.")
    if scheduler is not None:
        with Client(scheduler) as client:
            logger.info("connected to the Dask scheduler at %s", scheduler)
            yield client
        return
    if cluster_config is not None:
        cluster, jobs = jobqueue_cluster(cluster_config)
        with cluster, Client(cluster) as client:
            cluster.scale(jobs=jobs)
            logger.info("submitted %d dask-jobqueue jobs; dashboard at %s", jobs, cluster.dashboard_link)
            yield client
        return
    n_gpus = gpu_count() if processes else 0
    workers = n_workers or (n_gpus or available_cores())
    resources = {GPU_RESOURCE: 1} if n_gpus else None
    # The scheduler serves HTTP (health, metrics) even without a dashboard, on port 8787 unless told
    # otherwise: a free port (":0") and no dashboard, so that two studies never compete for 8787.
    with _deaf_to_ctrl_c(processes):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, resources=resources,
                               dashboard_address=":0", scheduler_kwargs={"dashboard": False},
                               silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        if n_gpus:
            client.register_plugin(PinGPU(n_gpus))
        if quiet and processes:
            client.register_plugin(QuietWorkerLog())
        logger.info("local Dask cluster: %d worker(s)%s", workers, f", {n_gpus} GPU(s)" if n_gpus else "")
        yield client


def task_resources(client: Client) -> dict[str, int] | None:
    """``{"GPU": 1}`` when the cluster's workers declare GPUs, else None."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    has_gpu = any(w.get("resources", {}).get(GPU_RESOURCE) for w in workers.values())
    return {GPU_RESOURCE: 1} if has_gpu else None
