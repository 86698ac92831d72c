"""Wiring of a group study: subjects through the single-subject pipeline as Dask tasks, then group statistics.

1. First pass, ``prepare_subject`` for every subject (one Dask task each):
   the pipeline's extraction stage (and its candidate stage), cached in the
   subject's folder ``<out>/sub-XX/``.
2. The common candidate list: the union of the subjects' sets, or one
   selection on the pooled time series.
3. Second pass, ``estimate_subject`` for every subject (one Dask task each):
   :func:`fmri_oinfo.pipeline.run_subject` on the common list (every
   pipeline output and the subject's HTML report).
4. Per-subject mode: the group tests of :mod:`fmri_oinfo.stats.group`
   on the subjects' estimates.  Pooled mode: one estimation on the pooled
   time series (one Dask task, surrogate test), and the pooled between-cohort
   test.
5. Tables, maps, graphs and the HTML report (:mod:`fmri_oinfo.group.outputs`,
   :mod:`fmri_oinfo.group.report`).

A subject that fails at any step is recorded with its error and left out of
the group statistics; the others go on.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from distributed import Client, as_completed
from tqdm import tqdm

from fmri_oinfo.candidates import choose_candidates, merge_candidates
from fmri_oinfo.group.cluster import task_resources
from fmri_oinfo.group.config import GroupConfig
from fmri_oinfo.group.study import Study, Subject
from fmri_oinfo.stats.group import cohort_difference_table, group_mean_table
from fmri_oinfo.stats.pooled import pool_series, pooled_cohort_difference
from fmri_oinfo.group.subject import (
    SubjectOutcome,
    estimate_subject,
    member_baselines,
    prepare_subject,
    read_candidates,
    read_series,
    read_subject_values,
    sets_chosen_from_data,
    split_block,
    subject_folder,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class GroupStudyResult:
    """Everything a group study produced.

    Attributes
    ----------
    study : Study
    config : GroupConfig
    out_dir : pathlib.Path
    prepared, estimated : tuple of SubjectOutcome
        Outcome of each pass per subject.
    sets : pandas.DataFrame
        The common candidate list (``set``, ``order``, ``chosen_by``).
    subject_values : pandas.DataFrame
        Long table: ``subject``, ``cohort``, ``set``,
        ``order``, ``o_info``, ``tc``, ``dtc``, ``s_info`` (nats); one row per
        successful subject and set.
    results : pandas.DataFrame or None
        Group result table (mean over subjects, or the pooled estimate).
    difference : pandas.DataFrame or None
        Between-cohort table, with two cohorts.
    regions : pandas.DataFrame
        Region metadata of the study (union over subjects).
    seconds : float
        Wall time of the study.
    notes : tuple of str
        What was left out and why.
    """

    study: Study
    config: GroupConfig
    out_dir: Path
    prepared: tuple[SubjectOutcome, ...]
    estimated: tuple[SubjectOutcome, ...]
    sets: pd.DataFrame
    subject_values: pd.DataFrame
    results: pd.DataFrame | None
    difference: pd.DataFrame | None
    regions: pd.DataFrame
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def failures(self) -> list[SubjectOutcome]:
        """Failed outcomes, one per subject (its first failing step)."""
        failed = {o.subject: o for o in self.estimated if not o.ok}
        failed.update({o.subject: o for o in self.prepared if not o.ok})
        return [failed[s] for s in sorted(failed)]

    @property
    def succeeded(self) -> list[str]:
        """Subjects in the group statistics."""
        return [o.subject for o in self.estimated if o.ok]


def _submit_per_subject(client: Client, step: str, subjects: list[str], function: Callable, items: list,
                        resources: dict[str, int] | None, **arguments: Any) -> list:
    """One task per subject, ``function(item, **arguments)``, submitted as one graph.

    One graph (``Client.map``) lets the scheduler see the whole step at once and
    queue the tasks on the scheduler, handing each worker only what it can run
    now; tasks submitted one by one can be assigned to a worker ahead of time
    and die with it when another subject crashes it.  Keys are unique per run,
    so a re-run re-reads each subject's stage cache instead of Dask's memory.
    """
    stamp = time.time_ns()
    return client.map(function, items, key=[f"{step}-{subject}-{stamp}" for subject in subjects],
                      resources=resources, pure=False, **arguments)


def _gather(futures: list, subjects: list[str], step: str, folders: list[str],
            progress: bool = False) -> list[SubjectOutcome]:
    """Outcomes of ``futures``; a task that Dask itself gave up on (e.g. a worker killed too often) is a failure.

    ``Future.result`` is read future by future instead of checking statuses
    after ``distributed.wait``: a finished result held by a worker that dies
    later is recomputed, and its future is briefly not "finished" again; the
    result call waits for the recomputation where a status check would record
    a spurious failure.  With ``progress``, a bar counts the subjects of the
    step as their tasks finish, whatever their order.
    """
    with tqdm(total=len(futures), desc=step, unit="subject", disable=not progress, file=sys.stderr) as bar:
        for _ in as_completed(futures):
            bar.update()
    outcomes = []
    for future, subject, folder in zip(futures, subjects, folders):
        try:
            outcomes.append(future.result())
        except Exception as error:  # any Dask-level failure (KilledWorker, CancelledError, ...)
            message = f"{type(error).__name__}: {error}"
            logger.error("%s %s failed in Dask: %s", subject, step, message)
            outcomes.append(SubjectOutcome(subject, step, "failed", folder=folder, error=message))
        future.release()
    return outcomes


def _study_regions(prepared: list[SubjectOutcome]) -> pd.DataFrame:
    rows: dict[str, dict[str, Any]] = {}
    for outcome in prepared:
        for region in outcome.regions:
            rows.setdefault(str(region["name"]), region)
    named = any("anatomy" in region for region in rows.values())
    table = pd.DataFrame(list(rows.values()), columns=["name", "network", "x", "y", "z"] + (["anatomy"] if named else []))
    table["name"] = table["name"].astype(str)
    for text in ("network", "anatomy")[: 1 + named]:
        table[text] = table[text].fillna("").astype(str)
    return table


def _common_sets(prepared: list[SubjectOutcome], config: GroupConfig, regions: pd.DataFrame) -> pd.DataFrame:
    if config.candidate_source == "union":
        return merge_candidates(read_candidates(o) for o in prepared)
    pooled = pool_series([split_block(read_series(o), config, "selection") for o in prepared])
    return choose_candidates(pooled, config.pipeline.candidates,
                             regions=regions.set_index("name").loc[list(pooled.columns)].reset_index(),
                             device=config.pipeline.estimation.device)


def _two_cohorts(study: Study) -> tuple[str, str] | None:
    cohorts = study.cohorts
    if study.cohort_column is None or len(cohorts) < 2:
        return None
    if len(cohorts) > 2:
        raise ValueError(
            f"--cohort-col {study.cohort_column!r} has {len(cohorts)} values {list(cohorts)}; the between-cohort "
            "comparison needs two: keep two cohorts with --subjects or use a two-valued column."
        )
    return cohorts[0], cohorts[1]


def run_group_study(
    study: Study,
    config: GroupConfig,
    out_dir: str | Path,
    client: Client,
    prepare: Callable[[Subject, GroupConfig, str | Path], SubjectOutcome] = prepare_subject,
    progress: bool = False,
) -> GroupStudyResult:
    """Run a group study on a Dask cluster and compute the group statistics.

    Parameters
    ----------
    study : Study
        From :func:`fmri_oinfo.group.study.discover_study`.
    config : GroupConfig
    out_dir : str or pathlib.Path
        Output folder: ``<label>/`` per subject (the pipeline's outputs and
        stage cache) and ``group/`` (written by
        :func:`fmri_oinfo.group.outputs.write_group_outputs`).
    client : distributed.Client
        Connected client (:func:`fmri_oinfo.group.cluster.dask_client`).
    prepare : callable, default=prepare_subject
        The first per-subject pass (same signature); it must cache its result
        before returning.
    progress : bool, default=False
        Show a bar per step (subjects finished) on stderr.

    Returns
    -------
    GroupStudyResult
    """
    started = time.perf_counter()
    pair = _two_cohorts(study)
    out_dir = Path(out_dir)
    resources = task_resources(client)
    labels = [s.label for s in study.subjects]
    folders = [str(subject_folder(out_dir, s.label)) for s in study.subjects]
    futures = _submit_per_subject(client, "prepare", labels, prepare, study.subjects, resources,
                                  config=config, out_dir=str(out_dir))
    prepared = _gather(futures, labels, "prepare", folders, progress)
    ok = [o for o in prepared if o.ok]
    notes = [f"participants.tsv lists {len(study.missing)} participant(s) without data, left out: "
             f"{', '.join(study.missing)}"] if study.missing else []
    if not ok:
        raise RuntimeError(
            "every subject failed: " + "; ".join(f"{o.subject}: {o.error}" for o in prepared[:5])
        )
    regions = _study_regions(ok)
    sets = _common_sets(ok, config, regions)
    cohort_of = {s.label: s.cohort for s in study.subjects}
    region_sets = [tuple(g) for g in sets["set"]]
    ok_labels = [o.subject for o in ok]
    # The common list goes to the workers once, as one scattered object that every task depends on.
    # Passed as a keyword argument instead, Dask puts any value over 100 kB into the graph as a data
    # node keyed by the argument's name ("sets"), which is not unique, and the scheduler then fails
    # every task with AssertionError(<TaskState 'sets' processing>) (a few hundred sets suffice).
    [shared_sets] = client.scatter([region_sets], hash=False, broadcast=True)
    futures = _submit_per_subject(client, "estimate", ok_labels, estimate_subject, ok, resources,
                                  sets=shared_sets, config=config)
    estimated = _gather(futures, ok_labels, "estimate", [o.folder for o in ok], progress)
    done = [o for o in estimated if o.ok]
    if not done:
        raise RuntimeError(
            "every subject failed: " + "; ".join(f"{o.subject}: {o.error}" for o in estimated[:5])
        )
    tables = [read_subject_values(o, region_sets) for o in done]
    subject_values = pd.concat(
        [t.assign(subject=o.subject, cohort=cohort_of[o.subject]) for o, t in zip(done, tables)],
        ignore_index=True,
    ).loc[:, ["subject", "cohort", "set", "order", "o_info", "null_mean", "tc", "dtc", "s_info"]]
    difference = None
    if not config.pool:
        matrix = {q: np.stack([t[q].to_numpy(float) for t in tables])
                  for q in ("o_info", "null_mean", "tc", "dtc", "s_info")}
        members = member_baselines(tables)  # (S, G, K)
        results = group_mean_table(sets, matrix["o_info"], matrix["null_mean"], matrix, config.n_permutations,
                                   config.alpha, config.seed, member_baselines=members)
        if pair is not None:
            difference = cohort_difference_table(
                sets, matrix["o_info"], matrix["null_mean"],
                np.array([cohort_of[o.subject] for o in done], dtype=object), *pair,
                n_permutations=config.n_permutations, alpha=config.alpha, seed=config.seed,
                member_baselines=members,
            )
    else:
        from fmri_oinfo.estimators import estimator_from_name
        from fmri_oinfo.stats import Design, assess_sets

        used = [o for o in ok if o.subject in {d.subject for d in done}]
        # sets chosen on the subjects' selection blocks are tested on their test blocks
        block = "test" if sets_chosen_from_data(config) else "whole"
        series = [split_block(read_series(o), config, block) for o in used]
        pooled = pool_series(series)
        kept = [g for g in region_sets if set(g) <= set(pooled.columns)]
        if len(kept) < len(region_sets):
            notes.append(f"pooling: {len(region_sets) - len(kept)} set(s) with a region missing in some subject left out")
            sets = sets[[tuple(g) in set(kept) for g in sets["set"]]].reset_index(drop=True)
        estimator = estimator_from_name(config.estimator, seed=config.seed, **config.estimator_options)
        future = client.submit(assess_sets, estimator, pooled, sets,
                               Design(n_surrogates=config.n_surrogates, alpha=config.alpha), seed=config.seed,
                               selected=np.zeros(len(sets), dtype=bool), resources=resources, pure=False)
        results = future.result()
        if pair is not None:
            if config.estimator == "gaussian":
                difference = pooled_cohort_difference(
                    series, [cohort_of[o.subject] for o in used], sets, *pair,
                    n_permutations=config.n_permutations, alpha=config.alpha, seed=config.seed,
                )
            else:
                notes.append("pooled between-cohort test needs estimation.estimator = 'gaussian'; "
                             "use per-subject mode")
    return GroupStudyResult(
        study=study, config=config, out_dir=out_dir, prepared=tuple(prepared), estimated=tuple(estimated),
        sets=sets, subject_values=subject_values, results=results, difference=difference, regions=regions,
        seconds=time.perf_counter() - started, notes=tuple(notes),
    )
