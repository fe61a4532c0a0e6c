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

    Subclasses build ``self.model`` (no matplotlib), their controls and artists, then call
    :meth:`_finish`. ``self.status`` is the text a learner reads (log-likelihood, MLE ...);
    tests read the same text.
    """

    css_name = "mle-explorer"

    def __init__(self, controls: list, figure: Figure, canvas: Canvas) -> None:
        self.figure = figure
        self.canvas = canvas
        self.status = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self.status.add_class("mle-status")
        canvas.add_class("mle-canvas")
        rows = [
            widgets.HBox(list(row)) if isinstance(row, list | tuple) else row for row in controls
        ]
        super().__init__([*rows, self.status, canvas])
        # Lay the figure out once, then freeze it: constrained layout re-measures every text
        # on every draw, which alone costs tens of milliseconds per update.
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        self.add_class("mle-widget")
        self.add_class(self.css_name)

    def refresh(self) -> None:
        """Push the model's state to the artists and the status line, then redraw lazily."""
        self.draw_artists()
        self.status.value = self.status_html()
        # draw_idle only asks the front end for a frame; the render happens once per request.
        self.canvas.draw_idle()

    def draw_artists(self) -> None:  # pragma: no cover - every explorer overrides it
        raise NotImplementedError

    def status_html(self) -> str:  # pragma: no cover - every explorer overrides it
        raise NotImplementedError


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
