"""The sampling distribution of the MLE beside its normal approximation (notebook 05)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ._base import Explorer, line, new_canvas, settle, slider

REPS = 4000
FAMILIES = {
    # name: (true parameter, symbol, plotting range of the estimate); the symbols are the
    # notebook's: λ for the exponential rate, θ for the Bernoulli probability of heads
    "exponential": (2.0, "λ", (0.0, 6.0)),
    "bernoulli": (0.3, "θ", (0.0, 1.0)),
}
HELP = (
    "<b>sample size n</b>: the number of observations in each simulated data set. "
    "<b>exponential</b>: lifetimes with true rate λ = {exponential}, estimated by "
    "λ̂ = n / Σ tᵢ. <b>bernoulli</b>: coin flips with true probability of heads "
    "θ = {bernoulli}, estimated by θ̂ = k / n. Each picture simulates {reps} data sets: the "
    "histogram of their estimates, beside the normal approximation with the true value "
    "as mean and standard deviation 1/√(n I)."
).format(reps=REPS, **{name: f"{spec[0]:g}" for name, spec in FAMILIES.items()})


class SamplingDistributionModel:
    """REPS simulated data sets of size n; the MLE of each, against N(θ, 1/(n I(θ))).

    Each data set is drawn through its sufficient statistic, which has the same
    distribution as drawing the n observations: the exponential rate MLE is n / S with
    S ~ Gamma(n, 1/λ), the Bernoulli MLE is K / n with K ~ Binomial(n, p). A fixed seed per
    (family, n) makes every picture reproducible.
    """

    def __init__(self, family: str = "exponential", n: int = 5, seed: int = 5) -> None:
        self.seed = seed
        self.set(family, n)

    def set(self, family: str, n: int) -> None:
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
        if int(n) < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        self.family, self.n = family, int(n)
        self.theta, self.symbol, self.lim = FAMILIES[family]
        rng = np.random.default_rng([self.seed, self.n, family == "bernoulli"])
        if family == "exponential":
            self.estimates = self.n / rng.gamma(self.n, 1.0 / self.theta, size=REPS)
        else:
            self.estimates = rng.binomial(self.n, self.theta, size=REPS) / self.n

    @property
    def fisher(self) -> float:
        """Expected information of n observations: n / λ² (exponential), n / (θ(1 − θ))."""
        if self.family == "exponential":
            return self.n / self.theta**2
        return self.n / (self.theta * (1.0 - self.theta))

    @property
    def estimate_name(self) -> str:
        """The estimate's symbol with its hat, "λ̂" or "θ̂"."""
        return f"{self.symbol}\u0302"

    @property
    def asymptotic_se(self) -> float:
        return 1.0 / np.sqrt(self.fisher)

    def normal_density(self, grid: np.ndarray) -> np.ndarray:
        se = self.asymptotic_se
        return np.exp(-0.5 * ((grid - self.theta) / se) ** 2) / (se * np.sqrt(2 * np.pi))

    def histogram(self, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
        """Density-scaled histogram of the estimates over the family's plotting range."""
        edges = np.linspace(*self.lim, bins + 1)
        counts, _ = np.histogram(self.estimates, bins=edges)
        return counts / (REPS * np.diff(edges)), edges


class SamplingDistributionExplorer(Explorer):
    css_name = "mle-sampling-distribution-explorer"

    def __init__(self, model: SamplingDistributionModel) -> None:
        self.model = model
        self.family = widgets.ToggleButtons(options=list(FAMILIES), value=model.family)
        self.n = slider(widgets.IntSlider, "sample size n", min=1, max=500, value=model.n)
        figure, canvas = new_canvas(7.0, 3.0)
        self.ax = figure.subplots()
        self._build_artists()
        super().__init__(
            [[self.n, self.family]],
            figure,
            canvas,
            animated=[self.hist, self.normal, self.truth],
            help_html=HELP,
        )
        self._labelled = None
        self.family.observe(self._on_change, "value")
        self.n.observe(self._on_change, "value")
        self.refresh()

    def _build_artists(self) -> None:
        ax = self.ax
        self.hist = ax.stairs(
            [0.0],
            [0.0, 1.0],
            fill=True,
            alpha=0.4,
            color="C0",
        )
        (self.normal,) = ax.plot([], [], color="C3", lw=2)
        self.truth = ax.axvline(0, color="k", ls=":")
        ax.set(ylabel="density")

    def _on_change(self, _change) -> None:
        self.model.set(self.family.value, self.n.value)
        self.refresh()

    def draw_artists(self) -> None:
        m = self.model
        values, edges = m.histogram()
        self.hist.set_data(values, edges)
        grid = np.linspace(*m.lim, 400)
        density = m.normal_density(grid)
        self.normal.set_data(grid, density)
        self.truth.set_xdata([m.theta, m.theta])
        self.ax.set_xlim(*m.lim)
        top = max(values.max(), density.max())
        self.ax.set_ylim(settle(self.ax.get_ylim(), (0, 1.02 * top), (0, 1.1 * top)))
        if self._labelled != m.family:  # name the family's own parameter in every label
            s, hat = m.symbol, m.estimate_name
            self.hist.set_label(f"{hat} in {REPS} simulated samples")
            self.normal.set_label(f"N({s}, 1/(n I({s})))")
            self.truth.set_label(f"true {s} = {m.theta:g}")
            self.ax.set_xlabel(f"{hat}  ({m.family}, true {s} = {m.theta:g})")
            self.ax.legend(loc="upper right", fontsize="small")
            self._labelled = m.family

    def status_html(self) -> str:
        m = self.model
        s, hat = m.symbol, m.estimate_name
        return (
            f"{m.family}, true {s} = {m.theta:g}, n = {m.n}: "
            f"{line(f'mean of {hat}', m.estimates.mean())}, "
            f"{line(f'sd of {hat}', m.estimates.std(ddof=1))} "
            f"vs {line(f'1/√(n I({s}))', m.asymptotic_se)}"
        )


def sampling_distribution_explorer() -> SamplingDistributionExplorer:
    """A sample-size slider redrawing the simulated sampling distribution of the MLE
    beside its normal approximation N(θ, 1/(n I(θ)))."""
    return SamplingDistributionExplorer(SamplingDistributionModel())
