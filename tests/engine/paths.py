"""Channel paths for data-driven model tests, written as strings: "a>b+" converts, "a>b" does not."""

import numpy as np

from attribution.engine.fit_paths import PathSet

LETTERS = "abcdefghijklmnopq"


def paths(*journeys: str, values: list[float] | None = None) -> PathSet:
    """``paths("a>b+", "c")``: channel a (code 0) then b, converted; then c alone, not converted."""
    channel, journey, converted = [], [], []
    for number, text in enumerate(journeys):
        converted.append(text.endswith("+"))
        steps = text.rstrip("+").split(">")
        channel += [LETTERS.index(step) for step in steps]
        journey += [number] * len(steps)
    value = [0.0] * len(journeys) if values is None else values
    return PathSet(channel=np.array(channel, dtype=np.int64), journey=np.array(journey, dtype=np.int64),
                   converted=np.array(converted, bool),
                   value=np.round(np.array(value) * 1_000_000).astype(np.int64))


def by_letter(channels, numbers) -> dict[str, float]:
    return {LETTERS[c]: round(float(x), 9) for c, x in zip(channels, numbers, strict=True)}
