"""CVSS vectors (v3.0, v3.1, v4.0): every base metric once, and only values the version knows."""

from __future__ import annotations

__all__ = ["check_cvss"]

_CVSS3_BASE = {
    "AV": "NALP",
    "AC": "LH",
    "PR": "NLH",
    "UI": "NR",
    "S": "UC",
    "C": "HLN",
    "I": "HLN",
    "A": "HLN",
}
_CVSS3_OTHER = {
    "E": "XUPFH",
    "RL": "XOTWU",
    "RC": "XURC",
    "CR": "XLMH",
    "IR": "XLMH",
    "AR": "XLMH",
    "MAV": "XNALP",
    "MAC": "XLH",
    "MPR": "XNLH",
    "MUI": "XNR",
    "MS": "XUC",
    "MC": "XNLH",
    "MI": "XNLH",
    "MA": "XNLH",
}
_CVSS4_BASE = {
    "AV": "NALP",
    "AC": "LH",
    "AT": "NP",
    "PR": "NLH",
    "UI": "NPA",
    "VC": "HLN",
    "VI": "HLN",
    "VA": "HLN",
    "SC": "HLN",
    "SI": "HLN",
    "SA": "HLN",
}
_CVSS4_OTHER = {
    "E": "XAPU",
    "CR": "XHML",
    "IR": "XHML",
    "AR": "XHML",
    "MAV": "XNALP",
    "MAC": "XLH",
    "MAT": "XNP",
    "MPR": "XNLH",
    "MUI": "XNPA",
    "MVC": "XHLN",
    "MVI": "XHLN",
    "MVA": "XHLN",
    "MSC": "XHLN",
    "MSI": "XSHLN",
    "MSA": "XSHLN",
    "S": "XNP",
    "AU": "XNY",
    "R": "XAUI",
    "V": "XDC",
    "RE": "XLMH",
    "U": "XClearGreenAmberRed",
}


def check_cvss(vector: str) -> str:
    """A CVSS v3.0/v3.1/v4.0 vector with every base metric once and only known values."""
    version, _, rest = vector.partition("/")
    base, other = (
        (_CVSS4_BASE, _CVSS4_OTHER) if version == "CVSS:4.0" else (_CVSS3_BASE, _CVSS3_OTHER)
    )
    seen: dict[str, str] = {}
    for part in rest.split("/"):
        metric, _, value = part.partition(":")
        allowed = base.get(metric) or other.get(metric)
        if allowed is None:
            raise ValueError(f"unknown CVSS metric {metric!r}")
        if metric in seen:
            raise ValueError(f"CVSS metric {metric} is given twice")
        if metric == "U" and version == "CVSS:4.0":
            ok = value in ("X", "Clear", "Green", "Amber", "Red")
        else:
            ok = len(value) == 1 and value in allowed
        if not ok:
            raise ValueError(f"CVSS metric {metric} cannot be {value!r}")
        seen[metric] = value
    missing = [m for m in base if m not in seen]
    if missing:
        raise ValueError(f"the CVSS vector lacks base metrics {', '.join(missing)}")
    return vector
