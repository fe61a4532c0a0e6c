"""Coin-flip likelihood (notebook 01): L(θ) and log L(θ) for k heads in n flips."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from scipy.special import xlog1py, xlogy

from ._base import Explorer, button, line, new_canvas, settle, slider

GRID = np.linspace(0.0, 1.0, 401)
HELP = (
    "<b>flips n</b> and <b>heads k</b> set the data directly. <b>flip once</b> and "
    "<b>flip 10</b> flip a hidden coin instead, adding to n and k: its bias was drawn at "
    "random between 0.2 and 0.8 and is kept secret, so estimate it. Left: the likelihood "
    "L(θ), divided by its largest value; right: log L(θ). The dashed line is the MLE θ̂ = k/n."
)


class CoinFlipModel:
    """k heads in n flips of a coin whose bias the learner estimates.

    ``flip()`` draws from a hidden bias ``theta_true`` with a fixed seed, so a session
    can be replayed; the sliders set (k, n) directly.
    """

    max_flips = 200

    def __init__(self, heads: int = 7, flips: int = 10, seed: int = 1) -> None:
        self._rng = np.random.default_rng(seed)
        self.theta_true = float(self._rng.uniform(0.2, 0.8))
        self.set(heads, flips)

    def set(self, heads: int, flips: int) -> None:
        if not 1 <= flips <= self.max_flips:
            raise ValueError(f"flips must be in 1..{self.max_flips}, got {flips}")
        if not 0 <= heads <= flips:
            raise ValueError(f"heads must be in 0..flips={flips}, got {heads}")
        self.heads, self.flips = int(heads), int(flips)

    def flip(self, times: int = 1) -> None:
        """Flip the hidden coin ``times`` more times (stops at ``max_flips``)."""
        times = min(times, self.max_flips - self.flips)
        new_heads = int((self._rng.random(times) < self.theta_true).sum())
        self.set(self.heads + new_heads, self.flips + times)

    @property
    def x(self) -> np.ndarray:
        """The flips as 0/1 data (order does not matter to the likelihood)."""
        return np.repeat([1.0, 0.0], [self.heads, self.flips - self.heads])

    @property
    def mle(self) -> float:
        return self.heads / self.flips

    @property
    def loglik_at_mle(self) -> float:
        return float(self.loglik_curve(np.array(self.mle)))

    def loglik_curve(self, theta: np.ndarray = GRID) -> np.ndarray:
        # k log θ + (n−k) log(1−θ), written with xlogy/xlog1py so that 0·log 0 = 0 at the
        # ends of the grid (the all-heads MLE θ̂ = 1 has log L = 0, not nan).
        k, n = self.heads, self.flips
        return xlogy(k, theta) + xlog1py(n - k, -theta)


class CoinFlipExplorer(Explorer):
    css_name = "mle-coin-flip-explorer"

    def __init__(self, model: CoinFlipModel) -> None:
        self.model = model
        self.flips = slider(
            widgets.IntSlider, "flips n", min=1, max=model.max_flips, value=model.flips
        )
        self.heads = slider(widgets.IntSlider, "heads k", min=0, max=model.flips, value=model.heads)
        self.flip_button = button("flip once", "mle-flip", "flip the hidden coin once")
        self.flip10_button = button("flip 10", "mle-flip10", "flip the hidden coin 10 times")
        figure, canvas = new_canvas(7.0, 2.8)
        self.ax_lik, self.ax_log = figure.subplots(1, 2)
        self._build_artists()
        super().__init__(
            [[self.flips, self.heads], [self.flip_button, self.flip10_button]],
            figure,
            canvas,
            animated=[self.lik_line, self.log_line, self.lik_mle, self.log_mle],
            help_html=HELP,
        )
        self._syncing = False
        self.flips.observe(self._on_slider, "value")
        self.heads.observe(self._on_slider, "value")
        self.flip_button.on_click(lambda _: self._flip(1))
        self.flip10_button.on_click(lambda _: self._flip(10))
        self.refresh()

    def _build_artists(self) -> None:
        (self.lik_line,) = self.ax_lik.plot(GRID, GRID, color="C0")
        (self.log_line,) = self.ax_log.plot(GRID, GRID, color="C0")
        self.lik_mle = self.ax_lik.axvline(
            0.5, color="C3", ls="--", label="MLE θ̂ = k/n", clip_on=False
        )
        self.log_mle = self.ax_log.axvline(0.5, color="C3", ls="--", clip_on=False)
        self.ax_lik.set(xlabel="θ", ylabel="L(θ) / L(θ̂)", title="likelihood", xlim=(0, 1))
        self.ax_lik.set_ylim(0, 1.08)
        self.ax_log.set(xlabel="θ", ylabel="log L(θ)", title="log-likelihood", xlim=(0, 1))
        self.ax_lik.legend(loc="upper left", fontsize="small")

    def _on_slider(self, _change) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.heads.max = self.flips.value  # clamps heads.value when n shrinks
        finally:
            self._syncing = False
        self.model.set(self.heads.value, self.flips.value)
        self.refresh()

    def _flip(self, times: int) -> None:
        self.model.flip(times)
        self._syncing = True
        try:
            self.flips.value = self.model.flips
            self.heads.max = self.model.flips
            self.heads.value = self.model.heads
        finally:
            self._syncing = False
        self.refresh()

    def draw_artists(self) -> None:
        m = self.model
        loglik = m.loglik_curve()
        # The likelihood itself is tiny for large n (about 1e-60 at n = 200); its shape is
        # the point, so it is drawn relative to its maximum.
        self.lik_line.set_ydata(np.exp(loglik - m.loglik_at_mle))
        self.log_line.set_ydata(loglik)
        for artist in (self.lik_mle, self.log_mle):
            artist.set_xdata([m.mle, m.mle])
        # log L(θ̂) lies between n log ½ (k = n/2) and 0 (k = 0 or n): limits that depend on
        # n alone keep the frame still (and the update a cheap blit) while k is dragged
        low, depth = m.flips * np.log(0.5), max(12.0, 0.2 * m.flips)
        self.ax_log.set_ylim(
            settle(self.ax_log.get_ylim(), (low - 0.5 * depth, 0.5), (low - depth, 1.0))
        )

    def status_html(self) -> str:
        m = self.model
        return (
            f"{m.heads} heads in {m.flips} flips: "
            f"{line('θ̂', m.mle, 3)}, {line('log L(θ̂)', m.loglik_at_mle)}"
        )


def coin_flip_explorer(heads: int = 7, flips: int = 10, seed: int = 1) -> CoinFlipExplorer:
    """Sliders for heads and flips (or flip a hidden coin) redrawing L(θ) and log L(θ).

    The dashed line marks the MLE θ̂ = k/n; the status line shows θ̂ and log L(θ̂).
    """
    return CoinFlipExplorer(CoinFlipModel(heads, flips, seed))
