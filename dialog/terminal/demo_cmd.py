"""`msb demo`: run one demo in the terminal, or list them, or describe one's options.

    msb demo NAME [--device auto|cpu|cuda|mps] [--lang en|zh] [--fast] [--pace X] [--json] [--OPTION VALUE ...]
    msb demo --list
    msb demo NAME --help

Exit codes: 0 finished, 1 the demo failed, 2 a bad command line, 130 stopped (Ctrl-C).
torch is imported only once a demo actually starts.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from demos.core import Demo, all_demos, get_demo
from demos.driver import NO_RESULT, Outcome, drive
from demos.errors import DemoError
from knowledge.safe_text import as_typed, json_safe

USAGE = ("usage: msb demo NAME [--device auto|cpu|cuda|mps] [--lang en|zh] [--fast] [--pace X] "
         "[--json] [--OPTION VALUE ...]\n       msb demo --list | msb demo NAME --help")
COMMON = """common options:
  --device auto|cpu|cuda|mps  where to train (default auto: cuda, else mps, else cpu)
  --lang en|zh                the language Ms. B narrates in (default en)
  --fast                      no presentation pauses
  --pace X                    multiplies presentation pauses (default 1.0; 0 = --fast)
  --json                      print only one JSON object with the result, at the end"""
VALUED = {"device", "lang", "pace"}
SWITCHES = {"json", "fast", "list", "help"}
STOP_WAIT = 2.0  # seconds to wait for a cancelled run's last event (the runner promises ~1 s)


@dataclass
class Args:
    name: str | None = None
    device: str | None = None
    lang: str = "en"
    pace: str = "1.0"
    json: bool = False
    fast: bool = False
    list: bool = False
    help: bool = False
    options: dict[str, str] = field(default_factory=dict)


def parse_args(argv: list[str]) -> Args:
    args = Args()
    demo: Demo | None = None
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        if token in ("-h", "--help"):
            args.help = True
            continue
        if not token.startswith("--") or token == "--":
            if token.startswith("-") and token != "-" and not token[1:2].isdigit():
                raise DemoError(f"unknown flag {token}")
            if args.name is not None:
                raise DemoError(f"unexpected argument {token!r} (one demo at a time)")
            args.name = token
            demo = get_demo(token)
            continue
        key, has_value, value = token[2:].partition("=")
        key = key.replace("_", "-")
        attr = key.replace("-", "_")
        if attr in SWITCHES:
            if has_value:
                raise DemoError(f"--{key} takes no value")
            setattr(args, attr, True)
            continue
        if not has_value:
            is_bool = demo is not None and any(s.type is bool and s.name == attr for s in demo.options())
            if is_bool and (not tokens or tokens[0].startswith("--")):
                value = "true"
            elif not tokens:
                raise DemoError(f"--{key} needs a value")
            else:
                value = tokens.pop(0)
        if attr in VALUED:
            setattr(args, attr, value)
        else:
            args.options[attr] = value
    return args


def demo_main(argv: list[str], *, console=None) -> int:
    try:
        args = parse_args(argv)
        if args.list:
            print(list_text())
            return 0
        if args.name is None:
            if args.help:
                print(USAGE + "\n\n" + COMMON + "\n\n" + list_text())
                return 0
            raise DemoError("which demo? " + ", ".join(d.id for d in all_demos()) + " (--list describes them)")
        demo = get_demo(args.name)
        if args.help:
            print(help_text(demo))
            return 0
        return _run(demo, args, console)
    except DemoError as exc:
        print(f"msb demo: {as_typed(str(exc))}", file=sys.stderr)
        return 2


def list_text() -> str:
    demos = sorted(all_demos(), key=lambda d: d.id)
    width = max((len(d.id) for d in demos), default=0) + 2
    lines = []
    for d in demos:
        lines.append(f"{d.id.ljust(width)}{d.description.get('en', '')}")
        lines.append(f"{' ' * width}{d.description.get('zh', '')}")
    return "\n".join(lines)


def help_text(demo: Demo) -> str:
    lines = [f"msb demo {demo.id}: {demo.title.get('en', demo.id)} / {demo.title.get('zh', '')}",
             f"  {demo.description.get('en', '')}", f"  {demo.description.get('zh', '')}", "",
             f"usage: msb demo {demo.id} [common options] [demo options]", "", "demo options:"]
    lines += [f"  {spec.describe()}" for spec in demo.options()] or ["  (none)"]
    return "\n".join(lines + ["", COMMON])


def _run(demo: Demo, args: Args, console) -> int:
    from demos.device import prefer_passive_waits
    from demos.runner import start_demo

    # The CLI's process does nothing else while the demo trains, so it runs in a thread
    # here (no worker start-up), set up as a worker would be.
    prefer_passive_waits()
    handle = start_demo(demo.id, args.options, device=args.device, lang=args.lang, fast=args.fast,
                        pace=args.pace, in_process=True)
    renderer = None
    if not args.json:
        from rich.console import Console

        from dialog.terminal.demo_view import Renderer

        console = console or Console()
        console.print(f"[bold]{demo.title.get(args.lang, demo.id)}[/]  [dim]device: {handle.device}[/]")
        renderer = Renderer(console, title=demo.title.get(args.lang, demo.id), lang=args.lang,
                            error_console=Console(stderr=True))
    try:
        outcome = drive(handle, lambda events: [renderer.handle(e) for e in events] if renderer else None, frame=0)
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: leave now
        outcome = Outcome(demo.id, "stopped")
    finally:
        if renderer is not None:
            renderer.close()
    # Let a finished demo's thread wind down: torch aborts the interpreter if its threads
    # are torn down mid-operation at exit.
    handle.join(timeout=STOP_WAIT)
    return _finish(demo, handle.device, outcome, args.json)


def _finish(demo: Demo, device: str, outcome: Outcome, as_json: bool) -> int:
    if outcome.status == "finished" and outcome.result is not None:
        if as_json:
            metrics = {k: _rounded(v) for k, v in outcome.result.metrics.items()}
            _print_json({"demo": demo.id, "device": device, "metrics": metrics, "summary": outcome.result.summary})
        return 0
    if outcome.status == "failed":
        if as_json:  # otherwise the renderer has shown it, on stderr
            _print_json({"demo": demo.id, "error": outcome.message})
        elif outcome.message == NO_RESULT:
            print(f"msb demo: {outcome.message}", file=sys.stderr)
        return 1
    if as_json:
        _print_json({"demo": demo.id, "error": "stopped"})
    return 130


def _print_json(obj: dict[str, Any]) -> None:
    print(json_safe(json.dumps(obj, ensure_ascii=False, default=_plain)))


def _rounded(value: Any) -> Any:
    """Five significant digits are all a reader (or a script comparing runs) needs; more is float noise.

    Significant digits, not decimals: a weight difference of 1.8e-7 is the point of a demo, not a 0.0.
    """
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return float(f"{value:.5g}")
    return value


def _plain(value: Any) -> Any:
    """numpy and torch scalars, tuples of them: whatever a demo put in its metrics."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
