"""Gradient descent on a 1-D negative log-likelihood (notebook 02)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ._base import Explorer, line, new_canvas, slider

MU_LIM = (-3.0, 7.0)
GRID = np.linspace(*MU_LIM, 300)
HELP = (
    "<b>learning rate η</b>: the step size in μ ← μ − η f′(μ). <b>steps</b>: how many steps "
    "are taken. <b>start μ₀</b>: where the descent begins. f is the mean Gaussian NLL of 30 "
    "fixed observations with σ = 1 known: its curvature is 1, so each step multiplies the "
    "distance to the minimum by 1 − η. Left: the path on f; right: how far above the "
    "minimum each step is, on a log scale."
)


class GradientDescentModel:
    """Gradient descent on the mean Gaussian NLL of μ (σ = 1 known) for fixed data.

    f(μ) = (1/n) Σ −log N(x_i | μ, 1) has gradient f'(μ) = μ − x̄ and curvature 1, so a
    step multiplies the error μ_t − x̄ by (1 − η): the iterates converge for 0 < η < 2
    and diverge for η > 2 (oscillating once η > 1).
    """

    def __init__(self, lr: float = 0.3, n_steps: int = 15, x0: float = -1.5, seed: int = 2):
        self.x = np.random.default_rng(seed).normal(2.0, 1.0, size=30)
        self.set(lr, n_steps, x0)

    def set(self, lr: float, n_steps: int, x0: float) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr}")
        self.lr, self.n_steps, self.x0 = float(lr), int(n_steps), float(x0)
        path = [self.x0]
        for _ in range(self.n_steps):
            step = path[-1] - self.lr * self.grad(path[-1])
            if not abs(step) < 1e100:  # diverged: stop, so the path stays plottable
                break
            path.append(step)
        self.path = np.array(path)

    def nll(self, mu: float) -> float:
        # mean of −log N(x_i | μ, 1) = ½ (x_i − μ)² + ½ log 2π
        return float(0.5 * np.mean((self.x - mu) ** 2) + 0.5 * np.log(2 * np.pi))

    def grad(self, mu: float) -> float:
        return float(mu - self.x.mean())

    @property
    def mle(self) -> float:
        return float(self.x.mean())

    @property
    def path_nll(self) -> np.ndarray:
        return np.array([self.nll(mu) for mu in self.path])

    @property
    def contraction(self) -> float:
        """|1 − η f''(μ)| with f'' = 1: the factor by which each step scales the error."""
        return abs(1.0 - self.lr)

    def nll_curve(self) -> np.ndarray:
        # mean NLL, vectorised over the grid: ½ mean((x − μ)²) + ½ log 2π
        sq = np.mean(self.x**2) - 2 * GRID * np.mean(self.x) + GRID**2
        return 0.5 * sq + 0.5 * np.log(2 * np.pi)


class GradientDescentExplorer(Explorer):
    css_name = "mle-gradient-descent-explorer"

    def __init__(self, model: GradientDescentModel) -> None:
        self.model = model
        self.lr = slider(
            widgets.FloatSlider, "learning rate η", min=0.05, max=2.5, step=0.05, value=model.lr
        )
        self.steps = slider(widgets.IntSlider, "steps", min=1, max=50, value=model.n_steps)
        self.start = slider(
            widgets.FloatSlider, "start μ₀", min=MU_LIM[0], max=MU_LIM[1], step=0.1, value=model.x0
        )
        figure, canvas = new_canvas(7.0, 2.8)
        self.ax_f, self.ax_t = figure.subplots(1, 2)
        self._build_artists()
        super().__init__(
            [[self.lr, self.steps], self.start],
            figure,
            canvas,
            animated=[self.path_line, self.gap_line],
            help_html=HELP,
        )
        for control in (self.lr, self.steps, self.start):
            control.observe(self._on_slider, "value")
        self.refresh()

    def _build_artists(self) -> None:
        m = self.model
        self.ax_f.plot(GRID, m.nll_curve(), color="C0")
        self.ax_f.axvline(m.mle, color="C2", ls="--", label="MLE μ̂ = x̄")
        (self.path_line,) = self.ax_f.plot([], [], "o-", color="C3", ms=4, lw=1, label="iterates")
        self.ax_f.set(xlim=MU_LIM, xlabel="μ", ylabel="mean NLL f(μ)", title="the path")
        lo = m.nll(m.mle)
        self.ax_f.set_ylim(lo - 0.3, lo + 0.5 * (MU_LIM[1] - m.mle) ** 2)
        self.ax_f.legend(loc="upper center", fontsize="small")
        # log10 on a linear axis: a log-scaled axis re-lays its many minor ticks on every draw.
        # Fixed limits hold every path the sliders allow (gap floored at 1e-16; at most
        # 1.5^50 growth of a start error below 10: log10 gap < 20) and let updates blit.
        (self.gap_line,) = self.ax_t.plot([], [], "o-", color="C3", ms=3, lw=1)
        self.ax_t.set(xlim=(-0.5, 50.5), ylim=(-17, 21))
        self.ax_t.set(
            xlabel="step t", ylabel="log₁₀ [f(μ_t) − f(μ̂)]", title="distance to the minimum"
        )

    def _on_slider(self, _change) -> None:
        self.model.set(self.lr.value, self.steps.value, self.start.value)
        self.refresh()

    def draw_artists(self) -> None:
        m = self.model
        nll = m.path_nll
        self.path_line.set_data(m.path, nll)
        # floor at 1e-16 so a log axis can show an exact hit of the minimum
        gap = np.log10(np.maximum(nll - m.nll(m.mle), 1e-16))
        self.gap_line.set_data(np.arange(gap.size), gap)

    def status_html(self) -> str:
        m = self.model
        c = m.contraction
        verdict = "bounces forever" if abs(c - 1) < 1e-9 else "converges" if c < 1 else "diverges"
        return (
            f"after {m.n_steps} steps: {line('μ_t', m.path[-1])}, "
            f"{line('f(μ_t)', m.path_nll[-1])}; {line('MLE μ̂', m.mle)}<br>"
            f"each step scales the error by |1 − η| = {m.contraction:.2f}: "
            f'<b class="mle-verdict">{verdict}</b>'
        )


def gradient_descent_explorer() -> GradientDescentExplorer:
    """Gradient descent on a Gaussian mean's NLL with a learning-rate slider.

    Small rates creep, rates between 1 and 2 overshoot and oscillate, rates above 2 diverge.
    """
    return GradientDescentExplorer(GradientDescentModel())
