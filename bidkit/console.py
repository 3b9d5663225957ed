"""The command line's two consoles (``out``, ``err``) and the build's steps, without typer.

Here, not in bidkit.cli, so that what runs without typer (a plain `check` or `build`, bidkit.launch)
prints with the same consoles as the typer app.
"""

from __future__ import annotations

import datetime
import sys
import time

from bidkit.launch import Color, use_color
from bidkit.markup import NeedsRich, plain


class Console:
    """A rich Console made on first use: `check` and `--help` print without importing rich."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console = None

    @property
    def console(self):
        if self._console is None:
            from rich.console import Console as RichConsole

            self._console = RichConsole(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.console, name)

    def print(self, markup: str = "") -> None:
        """Without colour (not a terminal, or NO_COLOR) the plain text, without importing rich."""
        if self._console is None and not use_color(Color.auto, self.stream):
            try:
                self.stream.write(plain(markup) + "\n")
                return
            except NeedsRich:
                pass
        self.console.print(markup)

    @property
    def stream(self):
        return sys.stderr if self._options.get("stderr") else sys.stdout

    @property
    def is_terminal(self) -> bool:
        return self.stream.isatty()

    def __enter__(self):  # rich's Progress holds its console in a `with` (dunders bypass __getattr__)
        return self.console.__enter__()

    def __exit__(self, *exc_info):
        return self.console.__exit__(*exc_info)


class Steps:
    """The build's steps as they finish, each with its time: rich's spinners on a terminal;
    elsewhere (a CI log, a pipe) one plain line per step, "✓ Rendering HTML 0:00:01", as rich
    prints them there, without importing rich (a rebuild from the cache takes a tenth of a second)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = None
        self.current: tuple[str, float] | None = None

    def __enter__(self) -> Steps:
        if self.console.is_terminal:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            columns = (SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"), TimeElapsedColumn())
            self.progress = Progress(*columns, console=self.console.console).__enter__()
        return self

    def step(self, name: str) -> None:
        self._finish()
        if self.progress is not None:
            self.current = (self.progress.add_task(name, total=None), 0.0)
        else:
            self.current = (name, time.monotonic())

    def _finish(self) -> None:
        if self.current is None:
            return
        task, started = self.current
        if self.progress is not None:
            self.progress.update(task, total=1, completed=1)
        else:
            self.console.stream.write(f"✓ {task} {datetime.timedelta(seconds=int(time.monotonic() - started))}\n")
        self.current = None

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None:
            self._finish()
        if self.progress is not None:
            self.progress.__exit__(*exc_info)


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
