"""The demo contract: events a demo emits, its typed options, its run context, the registry."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Union

from demos.errors import DemoError

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Series:
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    color: str = ""  # a plotext colour name ("blue", "green", "red", ...); "" = default
    marker: str = ""  # a plotext marker ("dot", "hd", "x", "o", ...) or one character
    # "right": drawn against the plot's second axis — another quantity with its own scale (a loss beside
    # accuracies), so neither is squeezed into the other's range.
    axis: Literal["left", "right"] = "left"


@dataclass(frozen=True)
class Progress:
    step: int
    total: int
    metrics: dict[str, float] = field(default_factory=dict)
    stage: str = ""  # e.g. "training", "epoch 3/8"


@dataclass(frozen=True)
class Plot:
    """A named plot; a later Plot with the same name replaces the earlier one (live update)."""

    name: str
    title: str
    kind: Literal["scatter", "line"]
    series: tuple[Series, ...]
    x_label: str = ""
    y_label: str = ""
    # straight lines drawn over the plot: ((x0, y0), (x1, y1), label)
    lines: tuple[tuple[tuple[float, float], tuple[float, float], str], ...] = ()
    x_lim: tuple[float, float] | None = None
    y_lim: tuple[float, float] | None = None
    y2_label: str = ""  # the second (right) axis, for series with axis="right"
    y2_lim: tuple[float, float] | None = None
    # Plots of one group are views to compare (the layers of a network): drawn side by side.
    group: str = ""


@dataclass(frozen=True)
class Images:
    """Small grayscale images (values 0..1) with captions, e.g. test digits with predictions."""

    name: str
    title: str
    pixels: tuple[tuple[tuple[float, ...], ...], ...]  # images × rows × cols
    captions: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    text: str  # Markdown, already in the run's language


@dataclass(frozen=True)
class Result:
    metrics: dict[str, Any]  # clear names: linear_accuracy_xy, test_accuracy, seconds, device...
    summary: str  # Ms. B's closing words in the run's language, tying back to the documents


@dataclass(frozen=True)
class Error:
    message: str  # shown to the user as is
    detail: str = ""  # traceback or similar, for logs


@dataclass(frozen=True)
class Stopped:
    """The run was cancelled by the user before it finished."""

    reason: str = "cancelled"


Event = Union[Progress, Plot, Images, Text, Result, Error, Stopped]
Emit = Callable[[Event], None]

# ---------------------------------------------------------------- options


def option(default: Any, *, low: float | None = None, high: float | None = None,
           choices: tuple[Any, ...] = (), help: str = "") -> Any:
    """A dataclass field for a demo option: default, bounds and a one-line help."""
    return field(default=default, metadata={"low": low, "high": high, "choices": choices, "help": help})


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: type
    default: Any
    low: float | None
    high: float | None
    choices: tuple[Any, ...]
    help: str

    def describe(self) -> str:
        rng = ""
        if self.choices:
            rng = " (" + "|".join(map(str, self.choices)) + ")"
        elif self.low is not None or self.high is not None:
            rng = f" ({self.low}..{self.high})"
        return f"--{self.name.replace('_', '-')} {self.type.__name__}{rng}, default {self.default}: {self.help}"


def option_specs(config_cls: type) -> tuple[OptionSpec, ...]:
    hints = {f.name: f for f in dataclasses.fields(config_cls)}
    specs = []
    for name, f in hints.items():
        typ = f.type if isinstance(f.type, type) else {"int": int, "float": float, "str": str, "bool": bool}[f.type]
        md = f.metadata
        specs.append(OptionSpec(name, typ, f.default, md.get("low"), md.get("high"),
                                tuple(md.get("choices", ())), md.get("help", "")))
    return tuple(specs)


def parse_options(config_cls: type, raw: dict[str, Any]) -> Any:
    """Build the config from raw values (strings from a command line, or numbers).

    A bad value raises DemoError naming the option and its range.
    """
    specs = {s.name: s for s in option_specs(config_cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.lstrip("-").replace("-", "_")
        spec = specs.get(name)
        if spec is None:
            known = ", ".join("--" + n.replace("_", "-") for n in specs) or "none"
            raise DemoError(f"unknown option --{name.replace('_', '-')} (options: {known})")
        values[name] = _coerce(spec, value)
    return config_cls(**values)


def _coerce(spec: OptionSpec, value: Any) -> Any:
    flag = "--" + spec.name.replace("_", "-")
    try:
        if spec.type is bool:
            if isinstance(value, bool):
                v: Any = value
            elif str(value).lower() in ("1", "true", "yes", "on"):
                v = True
            elif str(value).lower() in ("0", "false", "no", "off"):
                v = False
            else:
                raise ValueError
        elif spec.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            v = int(str(value), 10) if isinstance(value, str) else int(value)
        else:
            v = spec.type(value)
    except (TypeError, ValueError):
        article = "an" if spec.type is int else "a"
        raise DemoError(f"{flag} must be {article} {spec.type.__name__}, got {value!r}") from None
    if spec.choices and v not in spec.choices:
        raise DemoError(f"{flag} must be one of {', '.join(map(str, spec.choices))}, got {value!r}")
    if spec.type in (int, float):
        if v != v or (spec.low is not None and v < spec.low) or (spec.high is not None and v > spec.high):
            raise DemoError(f"{flag} must be between {spec.low} and {spec.high}, got {value!r}")
    return v

# ---------------------------------------------------------------- run context


@dataclass
class DemoContext:
    """What a running demo may use besides its options."""

    device: str  # "cpu" | "cuda" | "mps"
    emit: Emit
    cancelled: Callable[[], bool]
    lang: str = "en"  # the language for Text and Result.summary
    fast: bool = False  # skip presentation pauses (tests, benchmarks)
    pace: float = 1.0  # multiplies presentation pauses; 0 behaves like fast

    def pause(self, seconds: float) -> None:
        """Present at a human pace: sleep unless fast, waking early when cancelled."""
        if self.fast or self.pace <= 0:
            return
        end = time.monotonic() + seconds * self.pace
        while not self.cancelled():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))

    def say(self, en: str, zh: str) -> None:
        self.emit(Text(zh if self.lang == "zh" else en))

    def pick(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en


class Cancelled(Exception):
    """Raised inside a demo (via check_cancelled) to stop promptly; the runner treats it as a clean stop."""


def check_cancelled(ctx: DemoContext) -> None:
    if ctx.cancelled():
        raise Cancelled()

# ---------------------------------------------------------------- registry


@dataclass(frozen=True)
class Demo:
    id: str
    title: dict[str, str]  # {"en": ..., "zh": ...}
    description: dict[str, str]  # one line each
    config: type  # a dataclass whose fields are built with option()
    run: Callable[[Any, DemoContext], None]
    # What a reduced run looks like (tests, smoke checks): option overrides.
    quick: dict[str, Any] = field(default_factory=dict)
    # Words that name this demo in a request ("show me dropout", "演示一下残差网络").
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def options(self) -> tuple[OptionSpec, ...]:
        return option_specs(self.config)


REGISTRY: dict[str, Demo] = {}
_lock = threading.Lock()
_loaded = False


def register(demo: Demo) -> Demo:
    if demo.id in REGISTRY and REGISTRY[demo.id] is not demo:
        raise ValueError(f"demo id {demo.id!r} is registered twice")
    REGISTRY[demo.id] = demo
    return demo


def _load_builtins() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        import demos.library as lib

        for mod in sorted(pkgutil.iter_modules(lib.__path__), key=lambda m: m.name):
            if mod.name.startswith("_"):
                continue
            module = importlib.import_module(f"demos.library.{mod.name}")
            demo = getattr(module, "DEMO", None)
            if isinstance(demo, Demo):
                register(demo)
        _loaded = True


@dataclass(frozen=True)
class DemoRequest:
    """A demo with its options checked: what the runner starts. Made only by `prepare`."""

    demo: Demo
    config: Any  # the demo's config dataclass, every value within its bounds
    options: dict[str, Any] = field(default_factory=dict)  # as given, to show or repeat the command


def prepare(demo_id: str, options: dict[str, Any] | None = None) -> DemoRequest:
    """The one place a demo's options are checked: DemoError names an unknown demo or a bad option."""
    demo = get_demo(demo_id)
    return DemoRequest(demo, parse_options(demo.config, dict(options or {})), dict(options or {}))


def all_demos() -> list[Demo]:
    _load_builtins()
    return list(REGISTRY.values())


def get_demo(demo_id: str) -> Demo:
    _load_builtins()
    try:
        return REGISTRY[demo_id]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise DemoError(f"unknown demo {demo_id!r} (demos: {known})") from None
