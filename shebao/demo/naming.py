"""Text makers for the demo city: person and unit names, addresses, phones, bank accounts.

Each takes the generator's `random.Random`, so the same seed gives the same text.
"""

from __future__ import annotations

import random

from shebao.registry.choices import District, UnitType

from . import names
from .common import Weighted, digits

SURNAMES = Weighted([(s, float(w)) for s, w in names.SURNAMES])
COMPANY_FORMS = Weighted([(f, float(w)) for f, w in names.COMPANY_FORMS])
INDUSTRIES = Weighted([((word, cls), float(share)) for word, cls, share in names.INDUSTRIES])
BANKS = Weighted([(b, float(w)) for b, w in names.BANKS])
INDUSTRY_CLASS = {word: cls for word, cls, _ in names.INDUSTRIES}
DISTRICT_LABELS = {d.value: str(d.label) for d in District}


def person_name(rng: random.Random, sex: str) -> str:
    """A plausible Chinese name: a common surname and one or two given characters."""
    pool = names.MALE_GIVEN if sex == "M" else names.FEMALE_GIVEN
    given = rng.choice(pool)
    if rng.random() < 0.72:
        second = rng.choice(names.NEUTRAL_GIVEN if rng.random() < 0.15 else pool)
        given += second
    return SURNAMES.pick(rng) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(names.MOBILE_PREFIXES) + digits(rng, 8)


def landline(rng: random.Random) -> str:
    return f"010-{rng.choice('5678')}{digits(rng, 7)}"


def trade_name(rng: random.Random) -> str:
    """A two-character trade name (字号) of distinct characters."""
    first, second = rng.sample(names.TRADE_CHARS, 2)
    return first + second


def enterprise_name(rng: random.Random) -> tuple[str, int]:
    """A company name and the work-injury class of its industry."""
    word, cls = INDUSTRIES.pick(rng)
    form = COMPANY_FORMS.pick(rng)
    trade = trade_name(rng)
    roll = rng.random()
    if roll < 0.08:
        return f"{trade}（北京）{word}{form}", cls
    if roll < 0.2:
        return f"北京市{trade}{word}{form}", cls
    return f"北京{trade}{word}{form}", cls


def other_unit_name(rng: random.Random, unit_type: str, district: str) -> str:
    """A name for a unit that is not an enterprise (机关, 事业单位, 社团, 民非, 个体)."""
    label = DISTRICT_LABELS[district]
    place = f"北京市{label}" if district != District.BDA else "北京经济技术开发区"
    if unit_type == UnitType.GOVERNMENT:
        if rng.random() < 0.3:
            street = rng.choice(names.STREETS[district]).removesuffix("大街")
            return f"{place}{street.removesuffix('路').removesuffix('街')}街道办事处"
        return f"{place}{rng.choice(names.GOVERNMENT_DEPARTMENTS)}"
    if unit_type == UnitType.INSTITUTION:
        pattern = rng.choice(names.INSTITUTION_PATTERNS)
        return place + pattern.format(n=rng.randint(1, 120), t=trade_name(rng))
    if unit_type == UnitType.SOCIAL_ORG:
        return f"{place}{rng.choice(names.SOCIAL_ORG_TOPICS)}"
    if unit_type == UnitType.PRIVATE_NONPROFIT:
        return f"{place}{trade_name(rng)}{rng.choice(names.PRIVATE_NONPROFIT_KINDS)}"
    return f"{place}{trade_name(rng)}{rng.choice(names.SHOP_KINDS)}"


def office_address(rng: random.Random, district: str) -> str:
    street = rng.choice(names.STREETS[district])
    building = trade_name(rng) + rng.choice(names.OFFICE_BUILDINGS)
    place = "北京市" + DISTRICT_LABELS[district] if district != District.BDA else (
        "北京经济技术开发区")
    if rng.random() < 0.35:
        return f"{place}{street}{rng.randint(1, 300)}号"
    return f"{place}{street}{rng.randint(1, 300)}号{building}{rng.randint(1, 28)}层"


def home_address(rng: random.Random, district: str) -> str:
    street = rng.choice(names.STREETS[district])
    estate = trade_name(rng) + rng.choice(names.HOME_ESTATES)
    place = "北京市" + DISTRICT_LABELS[district] if district != District.BDA else (
        "北京市大兴区")
    return (f"{place}{street}{estate}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 28)}{rng.randint(1, 6):02d}室")


def bank(rng: random.Random, district: str) -> tuple[str, str]:
    """A collection bank branch and an account number (托收账号)."""
    name = f"{BANKS.pick(rng)}北京{DISTRICT_LABELS[district]}支行"
    return name, str(rng.randint(1, 9)) + digits(rng, 18)
