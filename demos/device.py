"""Which device a demo trains on, and how many threads a training worker uses."""
from __future__ import annotations

import os

from dialog.errors import UserError

DEVICES = ("cuda", "mps", "cpu")


def available_devices() -> list[str]:
    """The devices this machine can train on, best first (torch is imported here, not before)."""
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def resolve_device(requested: str | None) -> str:
    """cuda if available, else mps, else cpu; an explicit request must be available."""
    if requested is not None:
        requested = requested.strip().lower()
        if requested not in DEVICES + ("auto",):
            raise UserError(f"unknown device {requested!r} (devices: auto, {', '.join(DEVICES)})")
    found = available_devices()
    if requested is None or requested == "auto":
        return found[0]
    if requested not in found:
        raise UserError(f"device {requested!r} is not available on this machine "
                        f"(available: {', '.join(found)})")
    return requested


def configure_threads(threads: int | None = None) -> int:
    """Set torch's thread counts for a process whose job is training; returns the intra-op count.

    Measured on a 2-core machine with another process busy on one core: 2-thread training
    fell from 15k to 5k images/s, and to only 12.8k with OMP_WAIT_POLICY=PASSIVE (OpenMP
    threads sleep instead of spinning while they wait). The variable is read when OpenMP
    starts, so this must run before torch first computes in this process. Tiny demo models
    gain nothing beyond a few threads.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if threads is None:
        threads = max(1, min(4, os.cpu_count() or 1))
    torch.set_num_threads(threads)
    try:
        # Inter-op parallelism only adds contention for these sequential loops; torch refuses
        # the change once inter-op work has started, which is harmless here.
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    return threads
