"""Repetition time (TR) of a run: sidecar JSON, else NIfTI header, else the user's.

Precedence: the BIDS sidecar's ``RepetitionTime`` (seconds), then the NIfTI
header's fourth zoom converted with its time unit, then the ``t_r`` the user
gave.  When two of these sources are present and differ by more than 1 %, a
warning names both values and says which one is used.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from pathlib import Path

import nibabel as nib

logger = logging.getLogger(__name__)

#: Seconds per NIfTI time unit (``xyzt_units``).
_SECONDS_PER_UNIT = {"sec": 1.0, "msec": 1e-3, "usec": 1e-6}

#: Relative difference above which two TR values disagree.
TR_TOLERANCE = 0.01

#: Longest plausible TR in seconds: fMRI repeats every few seconds (sparse
#: designs a few tens), so a larger value is a TR written in milliseconds.
MAX_T_R = 100.0


def read_sidecar_t_r(sidecar: Path | None) -> float | None:
    """``RepetitionTime`` in seconds from a JSON sidecar, or None when absent.

    Raises
    ------
    ValueError
        When the file is not valid JSON or the value is not a positive number.
    """
    if sidecar is None or not sidecar.is_file():
        return None
    try:
        content = json.loads(sidecar.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{sidecar}: cannot read the JSON sidecar ({err}); fix or remove the file.") from None
    value = content.get("RepetitionTime") if isinstance(content, dict) else None
    if value is None:
        return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"{sidecar}: RepetitionTime is {value!r}; it must be a positive number of seconds."
        )
    return float(value)


def read_header_t_r(image_path: Path) -> float | None:
    """TR in seconds from a NIfTI header, or None when the header has none.

    The fourth zoom is converted with the header's time unit (s, ms, us).  With
    an unknown unit a value above 100 is taken as milliseconds, otherwise as
    seconds.  Zero, one with unknown unit, or a 3-D image give None.
    """
    try:
        header = nib.load(str(image_path)).header
    except Exception as err:  # nibabel raises many types for broken files
        raise ValueError(
            f"{image_path}: cannot read the NIfTI header ({err}); the file is unreadable or not NIfTI."
        ) from None
    zooms = header.get_zooms()
    if len(zooms) < 4:
        return None
    value = float(zooms[3])
    if not math.isfinite(value) or value <= 0:
        return None
    _, time_unit = header.get_xyzt_units()
    if time_unit in _SECONDS_PER_UNIT:
        return value * _SECONDS_PER_UNIT[time_unit]
    if value == 1.0:
        return None  # the default of many writers, not a measurement
    return value / 1000.0 if value > 100.0 else value


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > TR_TOLERANCE * max(a, b)


def resolve_t_r(image_path: Path, sidecar: Path | None, user_t_r: float | None = None) -> float:
    """Resolve the TR of one run in seconds.

    Parameters
    ----------
    image_path : pathlib.Path
        The 4-D BOLD image.
    sidecar : pathlib.Path or None
        Its JSON sidecar (may not exist).
    user_t_r : float or None
        The TR the user gave, used when neither file has one.

    Returns
    -------
    float
        TR in seconds.

    Raises
    ------
    ValueError
        When no source gives a TR, ``user_t_r`` is not positive, or a source
        gives a TR above :data:`MAX_T_R` seconds (milliseconds, surely).
    """
    if user_t_r is not None and not (math.isfinite(user_t_r) and user_t_r > 0):
        raise ValueError(f"t_r={user_t_r!r}: the repetition time must be a positive number of seconds.")
    sources = [
        (f"the sidecar {sidecar}", read_sidecar_t_r(sidecar)),
        (f"the NIfTI header of {image_path}", read_header_t_r(image_path)),
        ("t_r given by the user", user_t_r),
    ]
    present = [(where, value) for where, value in sources if value is not None]
    for where, value in present:
        if value > MAX_T_R:
            raise ValueError(
                f"the repetition time {value:g} s from {where} looks like milliseconds (an fMRI TR is a few "
                f"seconds, at most {MAX_T_R:g}); give it in seconds: {value / 1000:g}."
            )
    if not present:
        raise ValueError(
            f"{image_path}: no repetition time in a JSON sidecar or in the NIfTI header; "
            "give it with t_r= (seconds) or add RepetitionTime to the sidecar."
        )
    used_where, used = present[0]
    for where, value in present[1:]:
        if _differ(used, value):
            warnings.warn(
                f"repetition time disagrees: {used:g} s from {used_where} but {value:g} s from {where}; "
                f"using {used:g} s.",
                UserWarning,
                stacklevel=3,
            )
    logger.debug("TR of %s: %g s from %s", image_path, used, used_where)
    return used
