"""The real data sets the notebooks use, shipped as small CSV files in ``course/data/``.

Every loader returns plain numpy arrays and reads only files inside the package: no
network, no downloads. ``provenance(name)`` gives the source and terms of a data set, so a
notebook can say where its numbers come from.
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np

__all__ = [
    "CHALLENGER_LAUNCH_TEMPERATURE_F",
    "load_challenger",
    "load_horse_kicks",
    "load_horse_kicks_table",
    "load_old_faithful",
    "load_strike_durations",
    "provenance",
]

#: Launch temperature of the Challenger accident (28 January 1986), in °F.
CHALLENGER_LAUNCH_TEMPERATURE_F = 31

_FILES = {
    "old_faithful": "old_faithful.csv",
    "strike_durations": "strike_durations.csv",
    "horse_kicks": "horse_kicks.csv",
    "challenger": "challenger_oring.csv",
}


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    text = resources.files("course.data").joinpath(_FILES[name]).read_text(encoding="utf-8")
    header, *rows = list(csv.reader(text.splitlines()))
    return header, [r for r in rows if r]


def load_old_faithful() -> np.ndarray:
    """Old Faithful eruptions: a float array of shape (272, 2).

    Column 0 is the eruption's duration and column 1 the waiting time to the next
    eruption, both in minutes. The durations are bimodal: short and long eruptions.

    Examples
    --------
    >>> X = load_old_faithful()
    >>> X.shape
    (272, 2)
    >>> round(float(X[:, 0].mean()), 4)
    3.4878
    """
    _, rows = _rows("old_faithful")
    return np.array(rows, dtype=float)


def load_strike_durations() -> np.ndarray:
    """Durations in days of 62 US manufacturing contract strikes (Kennan, 1985).

    Examples
    --------
    >>> x = load_strike_durations()
    >>> x.shape, round(float(x.mean()), 2)
    ((62,), 42.66)
    """
    _, rows = _rows("strike_durations")
    return np.array([r[0] for r in rows], dtype=float)


def load_horse_kicks_table() -> tuple[np.ndarray, np.ndarray]:
    """Bortkiewicz's table: ``(deaths, number_of_corps_years)``, two int arrays.

    ``number_of_corps_years[i]`` corps-years saw ``deaths[i]`` deaths by horse kick.

    Examples
    --------
    >>> deaths, freq = load_horse_kicks_table()
    >>> int(freq.sum()), int((deaths * freq).sum())
    (200, 122)
    """
    _, rows = _rows("horse_kicks")
    table = np.array(rows, dtype=int)
    return table[:, 0], table[:, 1]


def load_horse_kicks() -> np.ndarray:
    """Deaths by horse kick, one count per corps-year: an int array of 200 counts.

    The table from :func:`load_horse_kicks_table` expanded, so that it can be handed
    straight to a Poisson likelihood.

    Examples
    --------
    >>> k = load_horse_kicks()
    >>> k.shape, float(k.mean())
    ((200,), 0.61)
    """
    deaths, freq = load_horse_kicks_table()
    return np.repeat(deaths, freq)


def load_challenger() -> tuple[np.ndarray, np.ndarray]:
    """Shuttle launches before Challenger: ``(temperature_F, damage)``.

    The 23 flights whose O-ring outcome is known: launch temperature in °F (float)
    and whether an O-ring damage incident occurred (int 0/1). The flight with an
    unknown outcome and the accident itself (launched at
    :data:`CHALLENGER_LAUNCH_TEMPERATURE_F`) are left out: the accident is the
    prediction the data were used for.

    Examples
    --------
    >>> t, y = load_challenger()
    >>> t.shape, int(y.sum()), float(t.min())
    ((23,), 7, 53.0)
    """
    _, rows = _rows("challenger")
    known = [r for r in rows if r[2] in ("0", "1")]
    temperature = np.array([r[1] for r in known], dtype=float)
    damage = np.array([r[2] for r in known], dtype=int)
    return temperature, damage


def provenance(name: str) -> str:
    """Where a data set comes from and under what terms: its row of ``data/README.md``.

    Examples
    --------
    >>> "Bortkiewicz" in provenance("horse_kicks")
    True
    """
    if name not in _FILES:
        raise ValueError(f"name must be one of {sorted(_FILES)}, got {name!r}")
    readme = resources.files("course.data").joinpath("README.md").read_text(encoding="utf-8")
    for line in readme.splitlines():
        if f"`{_FILES[name]}`" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            return f"{cells[3]}. Source: {cells[4]}"
    raise LookupError(f"no provenance recorded for {name!r}")  # pragma: no cover
