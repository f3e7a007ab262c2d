"""Lookback windows: how long before a conversion a channel's clicks and views may earn credit."""

from dataclasses import dataclass

import numpy as np

from .arrays import KIND_CLICK, KIND_VIEW

DAY_US = 86_400_000_000
CLICK_WINDOW_DAYS = (1, 7, 14, 28)
VIEW_WINDOW_DAYS = (0, 1, 7)  # 0 = views never count
DEFAULT_WINDOWS = {"tiktok": (7, 1)}  # TikTok's own default: 7-day click, 1-day view
FALLBACK_WINDOW = (28, 1)


@dataclass(frozen=True)
class LookbackWindows:
    """Window length in µs per (channel code, kind); −1 means "never eligible"."""

    by_channel_kind: np.ndarray

    @classmethod
    def build(cls, channels: list[str], overrides: dict[str, tuple[int, int]] | None = None
              ) -> "LookbackWindows":
        """``channels`` is the code→name list the touches use; ``overrides`` the workspace's choices."""
        table = np.full((len(channels) + 1, 2), -1, dtype=np.int64)
        merged = {**DEFAULT_WINDOWS, **(overrides or {})}
        for code, name in enumerate(channels):
            click_days, view_days = merged.get(name, FALLBACK_WINDOW)
            table[code, KIND_CLICK] = click_days * DAY_US
            table[code, KIND_VIEW] = view_days * DAY_US if view_days else -1
        return cls(by_channel_kind=table)

    @property
    def longest(self) -> int:
        return int(max(self.by_channel_kind.max(), 0))

    def of(self, channel: np.ndarray, kind: np.ndarray) -> np.ndarray:
        return self.by_channel_kind[channel, kind]
