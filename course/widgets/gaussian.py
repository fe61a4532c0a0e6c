"""The Gaussian explorer (notebook 03): click to add data, slide μ and σ, watch log L."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from scipy import stats

from ._base import Explorer, button, line, new_canvas, settle, slider

XLIM = (-6.0, 6.0)
GRID = np.linspace(*XLIM, 400)
SQRT_2PI = np.sqrt(2 * np.pi)
HELP = (
    "<b>μ</b> moves the bell curve, <b>σ</b> widens or narrows it. Click the plot to add an "
    "observation, right-click to remove the nearest one; <b>clear</b> removes them all. Each "
    "red stem is one observation's density, and log L is the sum of their logs. Make log L "
    "as large as you can: the status line says how far below its maximum you are, not where "
    "the maximum is. <b>jump to MLE</b> moves both sliders there; press it after trying."
)


class GaussianModel:
    """Observations on a line and a Gaussian N(μ, σ²) that the learner moves."""

    def __init__(self, data=None, loc: float = 0.0, scale: float = 1.0) -> None:
        if data is None:
            data = np.random.default_rng(3).normal(1.0, 1.5, size=6).clip(*XLIM)
        data = np.asarray(data, dtype=float)
        if data.ndim != 1 or not np.all(np.isfinite(data)):
            raise ValueError(f"data must be a 1-D array of finite numbers, got {data!r}")
        self.data = [float(v) for v in data]
        self.set_params(loc, scale)

    def set_params(self, loc: float, scale: float) -> None:
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}")
        self.loc, self.scale = float(loc), float(scale)

    def add(self, x: float) -> None:
        self.data.append(float(x))

    def remove_nearest(self, x: float) -> None:
        if self.data:
            self.data.pop(int(np.argmin(np.abs(np.asarray(self.data) - x))))

    def clear(self) -> None:
        self.data.clear()

    @property
    def n(self) -> int:
        return len(self.data)

    @property
    def loglik(self) -> float:
        """Total log-likelihood of the data at (μ, σ); 0.0 (an empty sum) without data."""
        if not self.data:
            return 0.0
        return float(np.sum(self.logpdf()))

    def logpdf(self) -> np.ndarray:
        """Each observation's log density, the terms of the total."""
        if not self.data:
            return np.empty(0)
        return stats.norm.logpdf(np.asarray(self.data), self.loc, self.scale)

    @property
    def mle(self) -> tuple[float, float] | None:
        """(μ̂, σ̂), or None without data. One point gives σ̂ = 0: no maximum exists."""
        if not self.data:
            return None
        x = np.asarray(self.data)
        if x.min() == x.max():  # σ̂ = 0: L has no finite maximum
            return float(x[0]), 0.0
        # the mean, and the root mean squared deviation from it (divided by n, not n − 1)
        return float(x.mean()), float(x.std())

    @property
    def max_loglik(self) -> float | None:
        """log L at the MLE; None without data or when σ̂ = 0 (log L is unbounded)."""
        mle = self.mle
        if mle is None or mle[1] == 0:
            return None
        return float(stats.norm.logpdf(np.asarray(self.data), *mle).sum())


class GaussianExplorer(Explorer):
    css_name = "mle-gaussian-explorer"

    def __init__(self, model: GaussianModel) -> None:
        self.model = model
        self.mu = slider(widgets.FloatSlider, "μ", min=XLIM[0], max=XLIM[1], step=0.01)
        self.sigma = slider(widgets.FloatLogSlider, "σ", base=10, min=-1.5, max=0.8, step=0.005)
        self.mu.value, self.sigma.value = model.loc, model.scale
        self.jump_button = button("jump to MLE", "mle-jump", "set μ and σ to the MLE")
        self.clear_button = button("clear", "mle-clear", "remove every observation")
        hint = widgets.HTML("<i>click the plot to add a point, right-click to remove one</i>")
        figure, canvas = new_canvas(7.0, 3.2)
        self.ax = figure.subplots()
        self._build_artists()
        super().__init__(
            [[self.mu, self.sigma], [self.jump_button, self.clear_button, hint]],
            figure,
            canvas,
            animated=[self.curve, self.stems, self.points],
            help_html=HELP,
        )
        self._syncing = False
        self.mu.observe(self._on_slider, "value")
        self.sigma.observe(self._on_slider, "value")
        self.jump_button.on_click(lambda _: self.jump_to_mle())
        self.clear_button.on_click(lambda _: self._edit(self.model.clear))
        canvas.mpl_connect("button_press_event", self.on_press)
        self.refresh()

    def _build_artists(self) -> None:
        ax = self.ax
        (self.curve,) = ax.plot(GRID, GRID, color="C0", label="density N(x | μ, σ²)")
        (self.stems,) = ax.plot([], [], color="C3", lw=1.2, label="density at each point")
        (self.points,) = ax.plot([], [], "o", color="C3", ms=7, clip_on=False, zorder=3)
        ax.set(xlim=XLIM, xlabel="x", ylabel="density")
        ax.legend(loc="upper left", fontsize="small")

    # -- interactions: sliders, buttons and canvas clicks all end in refresh() --
    def _on_slider(self, _change) -> None:
        if not self._syncing:
            self.model.set_params(self.mu.value, self.sigma.value)
            self.refresh()

    def _edit(self, action, *args) -> None:
        action(*args)
        self.refresh()

    def on_press(self, event) -> None:
        """Canvas click: left button adds a point at the click, right button removes one."""
        if event.inaxes is not self.ax or event.xdata is None:
            return
        if event.button == 1:
            self._edit(self.model.add, event.xdata)
        elif event.button == 3:
            self._edit(self.model.remove_nearest, event.xdata)

    def jump_to_mle(self) -> None:
        mle = self.model.mle
        if mle is None:
            return
        loc, scale = mle
        self._syncing = True
        try:
            self.mu.value = loc
            if scale > 0:  # σ̂ = 0 (one point, or all equal) has no slider position
                self.sigma.value = scale  # clipped to the slider's range if outside it
        finally:
            self._syncing = False
        self.model.set_params(self.mu.value, self.sigma.value)
        self.refresh()

    # -- drawing --
    def draw_artists(self) -> None:
        m = self.model
        x = np.asarray(m.data)
        peak = 1.0 / (m.scale * SQRT_2PI)
        self.curve.set_ydata(np.exp(-0.5 * ((GRID - m.loc) / m.scale) ** 2) * peak)
        heights = np.exp(m.logpdf())
        nan = np.full_like(x, np.nan)
        # One line with nan breaks draws every stem (x_i, 0) -> (x_i, p(x_i)) in one artist.
        self.stems.set_data(
            np.column_stack([x, x, nan]).ravel(),
            np.column_stack([np.zeros_like(x), heights, nan]).ravel(),
        )
        self.points.set_data(x, np.zeros_like(x))
        self.ax.set_ylim(settle(self.ax.get_ylim(), (0, 1.05 * peak), (0, 1.15 * peak)))

    def status_html(self) -> str:
        m = self.model
        text = f"n = {m.n} points, {line('log L(μ, σ)', m.loglik)}"
        if m.mle is None:
            return text + " &nbsp; <i>no data yet: click on the plot</i>"
        best = m.max_loglik
        if best is None:
            return text + " &nbsp; all points are equal, so σ̂ = 0: L grows without bound as σ → 0"
        # the gap to the maximum, not the maximiser: μ̂ and σ̂ are the exercise of section 2
        return f"{text}<br>{line('max log L', best)}, {line('max log L − log L', best - m.loglik)}"


def gaussian_explorer(data=None) -> GaussianExplorer:
    """Sliders for μ and σ over observations you place by clicking the plot.

    Each point's density is drawn as a stem; the status line shows the total
    log-likelihood and how far it is below its maximum (not where the maximum is, which
    the notebook asks the learner to derive); "jump to MLE" moves the sliders there.
    """
    return GaussianExplorer(GaussianModel(data))
