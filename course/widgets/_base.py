"""Shared pieces of the explorers: a private ipympl canvas and the root widget.

Every explorer is a pure model (state and update methods, numbers only) and a view
that renders it. The view owns one matplotlib ``Figure`` on an ipympl ``Canvas``
created here *without* going through pyplot, so the notebook's global backend (usually
``%matplotlib inline``) is untouched and the figure is never registered with pyplot.
"""

from __future__ import annotations

import contextlib
import html
import warnings

import ipywidgets as widgets
import matplotlib
from matplotlib.figure import Figure


@contextlib.contextmanager
def _keep_backend():
    """Stop ``import ipympl`` from switching matplotlib's global backend.

    ``ipympl/__init__.py`` calls ``matplotlib.use("module://ipympl.backend_nbagg")`` when
    matplotlib is already imported. In a notebook that switch closes every pyplot figure
    and turns all later plots into widgets, so it is disabled for the length of the import.
    """
    original = matplotlib.use
    matplotlib.use = lambda *args, **kwargs: None
    try:
        yield
    finally:
        matplotlib.use = original


with _keep_backend():
    from ipympl.backend_nbagg import Canvas, FigureManager


def new_canvas(width: float, height: float) -> tuple[Figure, Canvas]:
    """A figure on its own ipympl canvas, with a hidden toolbar and no pyplot registration.

    The toolbar is hidden because its pan/zoom modes would swallow the clicks that the
    Gaussian explorer listens to; it must still exist, as ipympl's front end builds a view
    for it.
    """
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    canvas = Canvas(figure)
    with warnings.catch_warnings():
        # ipympl 0.10's Toolbar passes the canvas on to traitlets' __init__, which warns
        # (DeprecationWarning, "Passing unrecognized arguments"); in a notebook that
        # would be stderr in a graded cell. Nothing is lost: the toolbar stays hidden.
        warnings.filterwarnings(
            "ignore", message="Passing unrecognized arguments", category=DeprecationWarning
        )
        FigureManager(canvas, 0)  # sets canvas.manager and canvas.toolbar
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.resizable = False
    canvas.toolbar_visible = False
    return figure, canvas


class Explorer(widgets.VBox):
    """Root widget of an explorer: controls, a status line, and the canvas.

    Subclasses build ``self.model`` (no matplotlib), their controls and artists, pass the
    artists that move to ``animated`` and a ``help_html`` that says what each control does,
    and call :meth:`refresh` after every change.
    ``self.status`` is the text a learner reads (log-likelihood, MLE ...); tests read it too.

    Redrawing is the slow part of an update (tick labels above all), so it is done as
    little as possible: while no axis limit or label changes, an update restores the
    last full frame's background, draws only the ``animated`` artists and sends the changed
    pixels (blitting). Anything else asks the front end for one full frame (``draw_idle``).
    """

    css_name = "mle-explorer"

    def __init__(
        self, controls: list, figure: Figure, canvas: Canvas, animated: list, help_html: str
    ) -> None:
        self.figure = figure
        self.canvas = canvas
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)  # left out of full draws; drawn by _draw_animated
        self.status = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self.status.add_class("mle-status")
        canvas.add_class("mle-canvas")
        rows = [
            widgets.HBox(list(row)) if isinstance(row, list | tuple) else row for row in controls
        ]
        # What every control does, in a line or two under the controls: a learner who meets
        # the explorer without the notebook's prose still knows what each slider means.
        self.help = widgets.HTML(
            f'<div style="font-size: 90%; line-height: 1.35; color: #444">{help_html}</div>'
        )
        self.help.add_class("mle-help")
        super().__init__([*rows, self.help, self.status, canvas])
        self.add_class("mle-widget")
        self.add_class(self.css_name)
        self._background = None
        self._laid_out = False

    def refresh(self) -> None:
        """Push the model's state to the artists and the status line, then redraw."""
        frame = self._frame()
        self.draw_artists()
        self.status.value = self.status_html()
        if not self._laid_out:
            # Lay the figure out once, then freeze it: constrained layout re-measures every
            # text on every draw, tens of milliseconds per update.
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
            self.canvas.mpl_connect("draw_event", self._on_full_draw)
            self._laid_out = True
        if self._background is None or self._frame() != frame:
            self.canvas.draw_idle()  # one full frame, rendered when the front end asks
        else:
            self.canvas.restore_region(self._background)
            self._draw_animated()
            self.canvas.blit(self.figure.bbox)  # renders the diff and sends it now

    def _frame(self) -> tuple:
        """Everything a full draw renders that an update may change: limits and labels."""
        return tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(), ax.get_ylabel(), ax.get_title())
            for ax in self.figure.axes
        )

    def _on_full_draw(self, _event) -> None:
        # After every full render (first display, resize, new limits): keep the static
        # background, then add the moving artists so the frame sent is complete.
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self.animated:
            artist.axes.draw_artist(artist)

    def draw_artists(self) -> None:  # pragma: no cover - every explorer overrides it
        raise NotImplementedError

    def status_html(self) -> str:  # pragma: no cover - every explorer overrides it
        raise NotImplementedError


def settle(current: tuple[float, float], need: tuple[float, float], want: tuple[float, float]):
    """Axis limits with hysteresis: keep ``current`` while it shows all of ``need`` and is
    no more than twice as wide as ``want``; otherwise jump to ``want``. Unchanged limits let
    an update blit instead of redrawing every tick label."""
    lo, hi = current
    if lo <= need[0] and need[1] <= hi and hi - lo <= 2 * (want[1] - want[0]):
        return current
    return want


def slider(kind, description: str, **kwargs):
    """A slider that updates while dragged and has a readable label width."""
    style = {"description_width": "initial"}
    return kind(description=description, continuous_update=True, style=style, **kwargs)


def button(description: str, css: str, tooltip: str = "") -> widgets.Button:
    b = widgets.Button(description=description, tooltip=tooltip or description)
    b.add_class(css)
    return b


def line(label: str, value: float, digits: int = 4) -> str:
    """One ``label = value`` span; the value sits in a ``data-value`` attribute at full
    precision so a test (or a browser) can read the exact number behind the rounded text."""
    return (
        f'<span class="mle-value" data-name="{html.escape(label)}" data-value="{float(value)!r}">'
        f"{html.escape(label)} = {value:.{digits}f}</span>"
    )
