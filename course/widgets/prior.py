"""Prior, likelihood and posterior for a coin (notebook 06), with the MLE and MAP marked."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from scipy.special import betaln, xlog1py, xlogy

from ._base import Explorer, line, new_canvas, settle, slider

GRID = np.linspace(0.0, 1.0, 401)
THETA_TRUE = 0.7  # the simulated coin's bias, which the flips are drawn from
HELP = (
    "<b>prior strength c</b>: how many imaginary flips the prior is worth. The prior is "
    "Beta(1 + c·m, 1 + c·(1 − m)): c·m pseudo-heads and c·(1 − m) pseudo-tails, so the MAP "
    "is (k + c·m) / (n + c); c = 0 is the flat prior, where the MAP is the MLE. "
    "<b>prior mode m</b>: where the prior peaks, the bias you believed in before any flip. "
    "<b>flips n</b>: how many flips of one fixed sequence are used, drawn from a simulated "
    f"coin whose true bias is θ = {THETA_TRUE}. The likelihood is scaled to integrate to 1, "
    "like the two densities."
)


def beta_density(a: float, b: float, theta: np.ndarray = GRID) -> np.ndarray:
    # log-space with xlogy/xlog1py: finite at θ = 0 and 1 whenever a = 1 or b = 1
    return np.exp(xlogy(a - 1, theta) + xlog1py(b - 1, -theta) - betaln(a, b))


class PriorPosteriorModel:
    """The first n flips of a fixed sequence, with a Beta(a, b) prior on the coin's bias.

    The prior is set by a mean m and a strength c in pseudo-flips: a = 1 + c m and
    b = 1 + c (1 − m), so c = 0 is the flat prior (MAP = MLE) and the prior mode is m.
    """

    max_flips = 200
    theta_true = THETA_TRUE

    def __init__(self, strength: float = 4.0, prior_mean: float = 0.5, n: int = 3, seed: int = 6):
        rng = np.random.default_rng(seed)
        self.sequence = (rng.random(self.max_flips) < self.theta_true).astype(float)
        self.set(strength, prior_mean, n)

    def set(self, strength: float, prior_mean: float, n: int) -> None:
        if not strength >= 0:
            raise ValueError(f"strength must be non-negative, got {strength}")
        if not 0 < prior_mean < 1:
            raise ValueError(f"prior_mean must be in (0, 1), got {prior_mean}")
        if not 0 <= n <= self.max_flips:
            raise ValueError(f"n must be in 0..{self.max_flips}, got {n}")
        self.strength, self.prior_mean, self.n = float(strength), float(prior_mean), int(n)

    @property
    def x(self) -> np.ndarray:
        return self.sequence[: self.n]

    @property
    def heads(self) -> int:
        return int(self.x.sum())

    @property
    def prior(self) -> tuple[float, float]:
        c, m = self.strength, self.prior_mean
        return 1.0 + c * m, 1.0 + c * (1.0 - m)

    @property
    def posterior(self) -> tuple[float, float]:
        a, b = self.prior  # conjugacy: the prior's a gains the heads, its b the tails
        return a + self.heads, b + (self.n - self.heads)

    @property
    def mle(self) -> float | None:
        return None if self.n == 0 else self.heads / self.n

    @property
    def map(self) -> float | None:
        """The posterior mode; None for a flat posterior (no data and c = 0)."""
        a, b = self.posterior
        return None if a + b == 2 else (a - 1) / (a + b - 2)

    def curves(self) -> dict[str, np.ndarray]:
        k, n = self.heads, self.n
        return {
            "prior": beta_density(*self.prior),
            # L(θ) ∝ θ^k (1−θ)^(n−k), scaled to integrate to 1: the Beta(k+1, n−k+1) density
            "likelihood": beta_density(k + 1, n - k + 1),
            "posterior": beta_density(*self.posterior),
        }


class PriorPosteriorExplorer(Explorer):
    css_name = "mle-prior-posterior-explorer"

    def __init__(self, model: PriorPosteriorModel) -> None:
        self.model = model
        self.strength = slider(
            widgets.FloatSlider, "prior strength c", min=0, max=50, step=0.5, value=model.strength
        )
        self.prior_mean = slider(
            widgets.FloatSlider,
            "prior mode m",
            min=0.05,
            max=0.95,
            step=0.05,
            value=model.prior_mean,
        )
        self.n = slider(widgets.IntSlider, "flips n", min=0, max=model.max_flips, value=model.n)
        figure, canvas = new_canvas(7.0, 3.0)
        self.ax = figure.subplots()
        self._build_artists()
        super().__init__(
            [[self.strength, self.prior_mean], self.n],
            figure,
            canvas,
            animated=[*self.lines.values(), self.mle_line, self.map_line],
            help_html=HELP,
        )
        for control in (self.strength, self.prior_mean, self.n):
            control.observe(self._on_slider, "value")
        self.refresh()

    def _build_artists(self) -> None:
        ax = self.ax
        self.lines = {
            name: ax.plot(GRID, GRID, color=color, lw=2, ls=ls, label=name)[0]
            for name, color, ls in [
                ("prior", "C2", ":"),
                ("likelihood", "C0", "--"),
                ("posterior", "C3", "-"),
            ]
        }
        self.mle_line = ax.axvline(0.5, color="C0", lw=1.5, label="MLE", clip_on=False)
        self.map_line = ax.axvline(0.5, color="C3", lw=1.5, label="MAP", clip_on=False)
        # unclipped so that a boundary estimate (all heads: θ̂ = 1) is not hidden by the spine
        ax.set(xlim=(0, 1), xlabel="θ", ylabel="density")
        ax.legend(loc="upper left", fontsize="small")

    def _on_slider(self, _change) -> None:
        self.model.set(self.strength.value, self.prior_mean.value, self.n.value)
        self.refresh()

    def draw_artists(self) -> None:
        m = self.model
        top = 0.0
        for name, values in m.curves().items():
            self.lines[name].set_ydata(values)
            top = max(top, values.max())
        for artist, value in ((self.mle_line, m.mle), (self.map_line, m.map)):
            artist.set_visible(value is not None)
            if value is not None:
                artist.set_xdata([value, value])
        self.ax.set_ylim(settle(self.ax.get_ylim(), (0, 1.02 * top), (0, 1.1 * top)))

    def status_html(self) -> str:
        m = self.model
        a, b = m.prior
        text = f"{m.heads} heads in {m.n} flips, prior Beta({a:.2f}, {b:.2f}): "
        text += line("MLE", m.mle, 3) if m.mle is not None else "MLE undefined (no data)"
        text += ", " + (line("MAP", m.map, 3) if m.map is not None else "MAP undefined")
        a_post, b_post = m.posterior
        return text + f"<br>posterior Beta({a_post:.2f}, {b_post:.2f})"


def prior_posterior_explorer() -> PriorPosteriorExplorer:
    """Prior strength and data size sliders: Beta prior, likelihood and posterior for a coin,
    with the MLE and the MAP marked. With no prior (c = 0) the MAP is the MLE."""
    return PriorPosteriorExplorer(PriorPosteriorModel())
