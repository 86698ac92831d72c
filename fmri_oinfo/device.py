"""Choose the torch device and dtype in one place and pass them down; keep torch's own deprecations quiet.

fmri-oinfo never calls ``torch.jit.script``, but torch does: the first
``torch.func.jvp`` of a process (the FMMI engine's divergences and readouts)
loads torch's forward-mode decompositions, which script a dozen functions,
each with a ``DeprecationWarning`` pointing into torch.  A user can do nothing
about them, so that one message from that one torch module is ignored.
"""

from __future__ import annotations

import warnings

import torch

warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=DeprecationWarning,
                        module=r"torch\.jit\._script")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Return the torch device for ``device``.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device
        ``"auto"`` picks CUDA when available and the CPU otherwise.

    Raises
    ------
    ValueError
        When CUDA is asked for but not available.
    """
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but no CUDA GPU is visible; use device='cpu' or 'auto'.")
    try:
        return torch.device(device)
    except RuntimeError:
        raise ValueError(f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'.") from None
