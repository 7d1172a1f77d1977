"""Which device a demo trains on, and how many threads a training worker uses."""
from __future__ import annotations

import os

from demos.errors import DemoError

DEVICES = ("cuda", "mps", "cpu")
AUTO = "auto"  # a run whose worker chooses the device itself (the handle learns it from the worker)


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
            raise DemoError(f"unknown device {requested!r} (devices: auto, {', '.join(DEVICES)})")
        if requested == "cpu":  # always there: no need to import torch to look
            return requested
    found = available_devices()
    if requested is None or requested == "auto":
        return found[0]
    if requested not in found:
        raise DemoError(f"device {requested!r} is not available on this machine "
                        f"(available: {', '.join(found)})")
    return requested


def configure_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads for the calling thread's training; returns the count.

    torch's CPU kernels parallelise with OpenMP, whose thread count is kept per calling
    thread, so this must run in the thread that trains. The demo models are tiny: on this
    2-core machine, with other work running, the digits CNN trained at 30–40k images/s on
    one thread but 9–34k on two (OpenMP's helper thread fights for the second core), so the
    default leaves half the cores to the rest of the app.
    """
    import torch

    if threads is None:
        threads = max(1, min(4, (os.cpu_count() or 2) // 2))
    torch.set_num_threads(threads)
    return threads


def prefer_passive_waits() -> None:
    """Make idle OpenMP threads sleep rather than spin (measured with another process busy on
    one core: 2-thread training 5k images/s, 12.8k with this). OpenMP reads the setting once,
    when it starts, so this only helps before torch first computes in this process."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
