"""Per-update time of each explorer: the model's compute plus the redraw, budget 100 ms.

One update is what a learner's action costs in the kernel: the slider/button/click
handler (model update, artists' data, ``draw_idle``) followed by the frame the front end
then asks for (``canvas.draw()``: Agg render, PNG diff, send). The canvas is told that a
front end is connected, so no extra data-URL image is encoded. There is no peer to compare
with; the agreement column says how many of the timed updates needed a full redraw
(new axis limits) rather than a blit of the moving artists, and the median CPU time, which a
busy machine inflates less than the wall time.
"""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np

from bench._timing import median_time
from course.widgets import (
    coin_flip_explorer,
    em_stepper,
    gaussian_explorer,
    gradient_descent_explorer,
    prior_posterior_explorer,
    sampling_distribution_explorer,
)

BUDGET_S = 0.100
REPEAT = 21


def sweep(lo, hi, step):
    """Slider values as a drag or the arrow keys produce them: lo -> hi -> lo in steps."""
    up = list(np.round(np.arange(lo, hi + step / 2, step), 10))
    return up + up[-2:0:-1]


def slider_action(control, values):
    cycle = itertools.cycle(values)
    return lambda: setattr(control, "value", next(cycle))


def gaussian_click(ex):
    """The ipympl front end's message for a left click inside the axes."""
    xs = itertools.cycle(np.linspace(-4.5, 4.5, 7))

    def click():
        px, py = ex.ax.transData.transform((next(xs), 0.05))
        height = ex.canvas.get_renderer().height
        message = {"type": "button_press", "x": px, "y": height - py, "button": 0,
                   "buttons": 1, "modifiers": [], "guiEvent": None}  # fmt: skip
        ex.canvas._handle_message(ex.canvas, message, [])
        if ex.model.n > 40:
            ex.model.data[:] = ex.model.data[:6]

    return click


def em_step(ex):
    counter = itertools.count()

    def step():
        if next(counter) % 25 == 24:
            ex.model.reset()
        ex.step_button.click()

    return step


def cases():
    coin = coin_flip_explorer()
    gd = gradient_descent_explorer()
    gauss = gaussian_explorer()
    sampling = sampling_distribution_explorer()
    prior = prior_posterior_explorer()
    em = em_stepper()
    return [
        ("coin: drag heads", coin, slider_action(coin.heads, sweep(0, 10, 1))),
        ("coin: flip button", coin, coin.flip_button.click),
        ("gradient descent: drag lr", gd, slider_action(gd.lr, sweep(0.3, 2.4, 0.05))),
        ("gaussian: drag mu", gauss, slider_action(gauss.mu, sweep(-1.0, 1.0, 0.05))),
        ("gaussian: click on the plot", gauss, gaussian_click(gauss)),
        ("gaussian: jump to MLE", gauss, gauss.jump_button.click),
        ("sampling: drag n", sampling, slider_action(sampling.n, sweep(20, 120, 1))),
        ("prior: drag strength", prior, slider_action(prior.strength, sweep(0, 20, 0.5))),
        ("prior: drag n", prior, slider_action(prior.n, sweep(0, 200, 1))),
        ("em: step button", em, em_step(em)),
    ]


def median_cpu(fn, repeat: int = REPEAT) -> float:
    """Median CPU time of ``fn()`` in this process: on a busy machine the wall time also
    counts the time spent waiting for a core, this does not."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def run() -> list[dict]:
    rows = []
    for name, ex, action in cases():
        canvas = ex.canvas
        canvas.syncing_data_url = False  # as once the front end has said "initialized"
        requested = []
        # Stand-in for the front end: a draw_idle() request is answered by one full draw.
        canvas.draw_idle = lambda requested=requested: requested.append(True)
        canvas.draw()

        def update(action=action, canvas=canvas, requested=requested):
            action()  # handler: model, artists, status, and a blit or a draw request
            if requested:
                requested.clear()
                canvas.draw()  # the full frame the front end asks for

        full = []
        canvas.mpl_connect("draw_event", lambda _event, full=full: full.append(True))
        total = median_time(update, repeat=REPEAT, warmup=2)
        note = f"full redraws {len(full)}/{REPEAT + 2}"
        rows.append(_row(name, total, f"{note}; CPU {median_cpu(update) * 1e3:.1f} ms"))
        if name.split(":")[0] not in {r["benchmark"].split(":")[1].strip() for r in rows[:-1]}:
            # the worst case, once per explorer: new axis limits, so every tick is redrawn
            def full_update(update=update, ex=ex):
                ex._background = None  # as if the limits had changed: no blit possible
                update()

            worst = median_time(full_update, repeat=REPEAT)
            note = f"every update; CPU {median_cpu(full_update) * 1e3:.1f} ms"
            rows.append(_row(f"{name.split(':')[0]}: full redraw", worst, note))
    return rows


def _row(name: str, seconds: float, note: str) -> dict:
    verdict = "within" if seconds < BUDGET_S else "OVER"
    return {
        "benchmark": f"widgets: {name}",
        "ours_s": seconds,
        "peer": "-",
        "peer_s": None,
        "ratio": None,
        "agreement": f"{verdict} 100 ms; {note}",
    }


if __name__ == "__main__":
    start = time.perf_counter()
    for r in run():
        print(f"{r['benchmark']:<55} {r['ours_s'] * 1e3:7.1f} ms  {r['agreement']}")
    print(f"({time.perf_counter() - start:.1f} s)")
