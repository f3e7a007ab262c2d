"""Why an ad platform, our attribution and the CRM disagree: the likely causes of a three-way gap.

Pure: no Django. Each rule fires on the measured gap and on the diagnostics that would cause it, so
the explanation names something a person can check and fix.
"""

from dataclasses import dataclass
from decimal import Decimal

NOTABLE_GAP = 0.15  # below this, numbers from different systems are "in line"


@dataclass(frozen=True)
class GapInputs:
    reported: float
    attributed: float
    crm: float
    view_window_days: int
    window_mismatch: bool
    ttclid_capture: float | None
    duplicate_rate: float | None
    delayed_rate: float | None
    platform: str = "TikTok"  # the platform's name, as people read it


def _is_tiktok(inputs: GapInputs) -> bool:
    return inputs.platform == "TikTok"


def gap_inputs(*, comparison, diag, view_window_days: int) -> GapInputs:
    """GapInputs from a three-way comparison and a diagnostics summary (duck-typed: no Django here).

    The diagnostics measure TikTok's signals (ttclid, events sent to TikTok); for another platform
    they are left out rather than blamed on it.
    """
    label = getattr(comparison, "platform_label", "TikTok")
    tiktok = label == "TikTok"
    return GapInputs(
        reported=float(comparison.reported.conversions),
        attributed=float(comparison.attributed.conversions),
        crm=float(comparison.crm.conversions),
        view_window_days=view_window_days,
        window_mismatch=comparison.window_mismatch,
        ttclid_capture=diag.ttclid_capture_rate if tiktok else None,
        duplicate_rate=diag.duplicate_rate if tiktok else None,
        delayed_rate=diag.delayed_rate if tiktok else None,
        platform=label,
    )


def gap(value, baseline) -> float | None:
    """(value − baseline) / baseline, or None when there is no baseline."""
    if not baseline:
        return None
    return float((Decimal(str(value)) - Decimal(str(baseline))) / Decimal(str(baseline)))


def _platform_over(inputs: GapInputs) -> list[str]:
    causes = []
    if inputs.view_window_days:
        causes.append(
            f"{inputs.platform} counts {inputs.view_window_days}-day view-through conversions and modelled "
            f"conversions; our models credit clicks and only the share a multi-touch model gives "
            f"{inputs.platform}."
        )
    if inputs.duplicate_rate and inputs.duplicate_rate > 0.02:
        causes.append(
            f"{inputs.duplicate_rate:.0%} of pixel conversions have a server twin with another "
            f"event_id: {inputs.platform} counts both. Send the same event_id from pixel and server."
        )
    causes.append(
        f"{inputs.platform} claims every conversion its window reaches, even when another channel "
        "touched the buyer later; our model shares the credit."
    )
    return causes


def _platform_under(inputs: GapInputs) -> list[str]:
    causes = []
    if inputs.delayed_rate and inputs.delayed_rate > 0.02:
        causes.append(
            f"{inputs.delayed_rate:.0%} of conversions reached TikTok after the click window "
            "closed, so TikTok could not credit them."
        )
    if _is_tiktok(inputs):
        causes.append(
            "TikTok lost the match for some conversions (no ttclid/_ttp or hashed email sent with the "
            "event), or the CRM stages we sync are not mapped to a TikTok event."
        )
    else:
        causes.append(
            f"{inputs.platform} could not match some conversions to its clicks (its pixel or "
            "conversion tracking missed them), or it counts fewer conversion actions than we do."
        )
    return causes


def _window_mismatch(inputs: GapInputs) -> list[str]:
    if not inputs.window_mismatch:
        return []
    return [
        f"{inputs.platform}'s numbers were reported under a different window than our attribution "
        f"used for {inputs.platform}: compare like with like (change the window selector, the "
        f"{inputs.platform} lookback window or the window the account reports under)."
    ]


def _lost_clicks(inputs: GapInputs) -> list[str]:
    if inputs.ttclid_capture is None or inputs.ttclid_capture >= 0.8:
        return []
    return [
        f"Only {inputs.ttclid_capture:.0%} of TikTok sessions kept their ttclid: redirects or "
        "consent banners strip it, so clicks cannot be matched."
    ]


def _ours_vs_crm(inputs: GapInputs, size: float) -> list[str]:
    if size > NOTABLE_GAP:
        return [
            f"We credit {inputs.platform} with web conversions and leads that the CRM never closed: "
            "lead quality, or deals not yet imported."
        ]
    if size < -NOTABLE_GAP:
        return [
            f"The CRM closed {inputs.platform}-sourced deals our attribution cannot tie to a click: "
            "capture the click id and utm_* in the lead form's hidden fields."
        ]
    return []


def _platform_vs(inputs: GapInputs, size: float) -> list[str]:
    if size > NOTABLE_GAP:
        return _platform_over(inputs)
    if size < -NOTABLE_GAP:
        return _platform_under(inputs)
    return []


def explain_gap(pair: str, inputs: GapInputs) -> list[str]:
    """The likely causes of one gap: ``pair`` is "reported_vs_attributed", "attributed_vs_crm" or
    "reported_vs_crm"; only the causes that can move those two sources apart."""
    platform_vs_ours = gap(inputs.reported, inputs.attributed) or 0.0
    ours_vs_crm = gap(inputs.attributed, inputs.crm) or 0.0
    platform_vs_crm = gap(inputs.reported, inputs.crm) or 0.0
    if pair == "reported_vs_attributed":
        causes = _window_mismatch(inputs) + _platform_vs(inputs, platform_vs_ours) + _lost_clicks(inputs)
    elif pair == "attributed_vs_crm":
        causes = _ours_vs_crm(inputs, ours_vs_crm) + _lost_clicks(inputs)
    elif pair == "reported_vs_crm":
        causes = _platform_vs(inputs, platform_vs_crm)
        if platform_vs_crm > NOTABLE_GAP:
            causes.append(f"{inputs.platform} counts web conversions (leads, sign-ups) the CRM never "
                          "closed as deals.")
    else:
        raise ValueError(f"unknown gap {pair!r}")
    return causes or [f"These two sources agree within {NOTABLE_GAP:.0%}."]


def explain_gaps(inputs: GapInputs) -> list[str]:
    """Likely causes, most specific first; one line each."""
    causes: list[str] = []
    platform_vs_ours = gap(inputs.reported, inputs.attributed) or 0.0
    ours_vs_crm = gap(inputs.attributed, inputs.crm) or 0.0
    causes += _window_mismatch(inputs)
    causes += _platform_vs(inputs, platform_vs_ours)
    causes += _lost_clicks(inputs)
    causes += _ours_vs_crm(inputs, ours_vs_crm)
    return causes or [
        f"The three sources agree within {NOTABLE_GAP:.0%}; differences are within normal reporting noise."
    ]
