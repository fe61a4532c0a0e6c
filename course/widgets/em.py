"""An EM stepper for a 2-D Gaussian mixture (notebook 07): step, run, reset."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Ellipse
from scipy import stats
from scipy.special import logsumexp

from ._base import Explorer, button, line, new_canvas, settle

COLORS = np.array([[0.12, 0.47, 0.71], [0.84, 0.15, 0.16], [0.17, 0.63, 0.17], [0.58, 0.4, 0.74]])
RUN_STEPS, RUN_TOL = 500, 1e-8  # what "run" does: at most RUN_STEPS steps, relative tolerance
VAR_FLOOR = 1e-6  # smallest covariance eigenvalue: keeps a collapsing component finite
HELP = (
    "<b>step</b>: one E-step (responsibilities) and one M-step (weights, means, covariances). "
    f"<b>run</b>: step until an M-step raises log L by less than {RUN_TOL:g} of its size "
    f"(at most {RUN_STEPS} steps). <b>reset</b>: a new random start: the means at k data "
    "points drawn at random, different ones on every reset, with equal weights and the "
    "whole data set's covariance; reset and run a few times to meet different local optima. "
    "<b>components k</b>: how many Gaussians the mixture has; changing it also starts again. "
    "A point's colour mixes its components' colours by its responsibilities; the ellipses "
    "are 2-σ contours."
)


class EMModel:
    """EM for a k-component Gaussian mixture, one E-step + M-step per :meth:`step`.

    The model always holds the responsibilities and log-likelihood *of its current
    parameters*, so the trace reads log L(θ_0), log L(θ_1), ... and never decreases.
    ``reset()`` starts again from k data points chosen by a seed that advances on every
    reset, so repeated resets show different local optima.
    """

    max_k = len(COLORS)

    def __init__(self, X=None, k: int = 2, seed: int = 7) -> None:
        if X is None:
            from course.datasets import load_old_faithful

            X = load_old_faithful()
        self.X = np.asarray(X, dtype=float)
        if self.X.ndim != 2 or self.X.shape[1] != 2 or len(self.X) < self.max_k:
            raise ValueError(f"X must have shape (n, 2) with n >= {self.max_k}, got {self.X.shape}")
        if not np.all(np.isfinite(self.X)):
            raise ValueError("X must contain only finite numbers")
        self.seed = seed
        self.restarts = 0
        self.reset(k)

    def reset(self, k: int | None = None) -> None:
        """A fresh start: uniform weights, k distinct data points as means, the data's
        covariance for every component."""
        self.k = int(k if k is not None else self.k)
        if not 1 <= self.k <= self.max_k:
            raise ValueError(f"k must be in 1..{self.max_k}, got {k}")
        rng = np.random.default_rng([self.seed, self.restarts])
        self.restarts += 1
        self.weights = np.full(self.k, 1.0 / self.k)
        self.means = self.X[rng.choice(len(self.X), size=self.k, replace=False)].copy()
        self.covs = np.repeat(np.cov(self.X.T, bias=True)[None], self.k, axis=0)
        self.iteration = 0
        self._e_step()
        self.trace = [self.llf]

    def _e_step(self) -> None:
        # log π_j + log N(x_i | μ_j, Σ_j), normalised over j in log space (log-sum-exp)
        log_joint = np.column_stack(
            [
                np.log(w) + stats.multivariate_normal(m, c).logpdf(self.X)
                for w, m, c in zip(self.weights, self.means, self.covs, strict=True)
            ]
        )
        log_px = logsumexp(log_joint, axis=1, keepdims=True)
        self.resp = np.exp(log_joint - log_px)
        self.llf = float(log_px.sum())

    def _m_step(self) -> None:
        # responsibility-weighted proportions, means and covariances (divided by N_j); a
        # component nobody is responsible for keeps a finite mean through the tiny ε
        nk = self.resp.sum(axis=0) + 10 * np.finfo(float).eps
        self.weights = nk / nk.sum()
        self.means = self.resp.T @ self.X / nk[:, None]
        covs = []
        for mean, r, n_j in zip(self.means, self.resp.T, nk, strict=True):
            d = self.X - mean
            cov = (d.T * r) @ d / n_j
            # raise eigenvalues below VAR_FLOOR to it: the exact M-step over covariances whose
            # eigenvalues are at least VAR_FLOOR, so the log-likelihood still never decreases
            vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
            covs.append((vecs * np.maximum(vals, VAR_FLOOR)) @ vecs.T)
        self.covs = np.array(covs)

    def step(self) -> None:
        self._m_step()
        self._e_step()
        self.iteration += 1
        self.trace.append(self.llf)

    def run(self, max_steps: int = RUN_STEPS, tol: float = RUN_TOL) -> None:
        """Step until the log-likelihood gains less than ``tol`` (relative) in one step."""
        for _ in range(max_steps):
            before = self.llf
            self.step()
            if self.llf - before <= tol * abs(before):
                break

    @property
    def converged(self) -> bool:
        if len(self.trace) < 2:
            return False
        return self.trace[-1] - self.trace[-2] <= RUN_TOL * abs(self.trace[-2])


def ellipse_geometry(cov: np.ndarray, scale: float = 2.0) -> tuple[float, float, float]:
    """Width, height and angle (degrees) of the ``scale``-standard-deviation contour."""
    eigval, eigvec = np.linalg.eigh(cov)
    width, height = 2 * scale * np.sqrt(eigval[::-1])
    angle = np.degrees(np.arctan2(eigvec[1, -1], eigvec[0, -1]))
    return float(width), float(height), float(angle)


class EMStepper(Explorer):
    css_name = "mle-em-stepper"

    def __init__(self, model: EMModel) -> None:
        self.model = model
        self.step_button = button("step", "mle-step", "one E-step and one M-step")
        self.run_button = button("run", "mle-run", "step until the log-likelihood settles")
        self.reset_button = button("reset", "mle-reset", "start again from new random means")
        self.k = widgets.Dropdown(
            options=list(range(1, model.max_k + 1)),
            value=model.k,
            description="components k",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="15em"),
        )
        figure, canvas = new_canvas(7.5, 3.2)
        self.ax, self.ax_trace = figure.subplots(1, 2, width_ratios=[1.4, 1])
        self._build_artists()
        super().__init__(
            [[self.step_button, self.run_button, self.reset_button, self.k]],
            figure,
            canvas,
            animated=[self.scatter, *self.ellipses, self.centres, self.trace_line],
            help_html=HELP,
        )
        self.step_button.on_click(lambda _: self._act(model.step))
        self.run_button.on_click(lambda _: self._act(model.run))
        self.reset_button.on_click(lambda _: self._act(model.reset))
        self.k.observe(lambda change: self._act(model.reset, change["new"]), "value")
        self.refresh()

    def _build_artists(self) -> None:
        X = self.model.X
        self.scatter = self.ax.scatter(X[:, 0], X[:, 1], s=10, linewidths=0)
        self.ellipses = []
        for color in COLORS:
            patch = Ellipse((0, 0), 1, 1, fill=False, lw=2, color=color)
            self.ax.add_patch(patch)
            self.ellipses.append(patch)
        (self.centres,) = self.ax.plot([], [], "kx", ms=9, mew=2)
        pad = 0.1 * np.ptp(X, axis=0)
        self.ax.set(xlim=(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0]))
        self.ax.set(ylim=(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1]))
        self.ax.set(xlabel="x₁", ylabel="x₂", title="data, coloured by responsibility")
        (self.trace_line,) = self.ax_trace.plot([], [], "o-", ms=3, color="C3")
        self.ax_trace.set(xlabel="iteration", ylabel="log L", title="log-likelihood")
        # tick labels are most of a full redraw's cost; the scatter needs few of them
        for ax in (self.ax, self.ax_trace):
            ax.locator_params(nbins=5)

    def _act(self, action, *args) -> None:
        action(*args)
        self.refresh()

    def draw_artists(self) -> None:
        m = self.model
        self.scatter.set_facecolors(np.clip(m.resp @ COLORS[: m.k], 0, 1))
        for j, patch in enumerate(self.ellipses):
            patch.set_visible(j < m.k)
            if j < m.k:
                width, height, angle = ellipse_geometry(m.covs[j])
                patch.set_center(m.means[j])
                patch.set_width(width)
                patch.set_height(height)
                patch.set_angle(angle)
        self.centres.set_data(m.means[:, 0], m.means[:, 1])
        trace = np.asarray(m.trace)
        self.trace_line.set_data(np.arange(trace.size), trace)
        need = (-0.5, trace.size - 0.5)
        want = (-0.5, max(1.5 * trace.size, 10))
        self.ax_trace.set_xlim(settle(self.ax_trace.get_xlim(), need, want))
        lo, hi = trace.min(), trace.max()
        pad = 0.05 * max(hi - lo, 1.0)
        self.ax_trace.set_ylim(settle(self.ax_trace.get_ylim(), (lo, hi), (lo - pad, hi + pad)))

    def status_html(self) -> str:
        m = self.model
        state = "converged" if m.converged else "not converged"
        weights = ", ".join(f"{w:.3f}" for w in m.weights)
        return (
            f"iteration {m.iteration}: {line('log L', m.llf)} ({state}); "
            f"weights [{weights}]; ellipses are 2-σ contours"
        )


def em_stepper(X=None, k: int = 2) -> EMStepper:
    """Step, run and reset buttons for EM on 2-D data (default: Old Faithful eruptions,
    duration in minutes against waiting time in minutes)."""
    from course.datasets import load_old_faithful

    faithful = load_old_faithful()
    stepper = EMStepper(EMModel(faithful if X is None else X, k))
    if np.array_equal(stepper.model.X, faithful):
        stepper.ax.set(xlabel="eruption (min)", ylabel="waiting time (min)")
    return stepper
