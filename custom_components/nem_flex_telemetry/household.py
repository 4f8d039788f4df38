"""The household's own figures: what its energy cost this hour, day and month, and its price level.

Computed in Home Assistant from each record the sampler keeps (nothing here is sent
anywhere) with the formulas of :mod:`.money`, so they are the aggregation's sums for
this one household. Hours, days and months are the household's own local ones. Pure
Python: the state is a plain dict that Home Assistant's storage keeps across restarts.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final, Literal

from . import money, standing
from .record import INTERVAL, parse_utc

Period = Literal["hour", "day", "month"]
PERIODS: Final[tuple[Period, ...]] = ("hour", "day", "month")

PriceLevel = Literal["cheap", "normal", "expensive"]
PRICE_LEVELS: Final[tuple[PriceLevel, ...]] = ("cheap", "normal", "expensive")
# The current buy price is judged against the household's own sampled prices of the last
# 28 days: tariffs differ so much between households (flat, time-of-use, wholesale) that
# no fixed c/kWh threshold means the same to two of them. About the cheapest quarter of the
# household's intervals is cheap, the dearest quarter expensive (see price_level for ties).
PRICE_WINDOW: Final = timedelta(days=28)
PRICE_QUANTILES: Final = (0.25, 0.75)
# No level before a whole day of samples: a few hours of one tariff period would call
# every later price expensive or cheap.
PRICE_MIN_SAMPLES: Final = int(timedelta(days=1) / INTERVAL)
# The records counted in the current periods, to keep each interval once even if one
# arrives twice (a clock set back); a little more than a day's worth.
SEEN_LIMIT: Final = PRICE_MIN_SAMPLES + 12


@dataclass(slots=True)
class Totals:
    """Money of one period, in AUD; ``start`` is the period's local start (ISO)."""

    start: str
    import_cost_aud: float = 0.0
    export_value_aud: float = 0.0
    saving_aud: float = 0.0
    intervals: int = 0

    @property
    def net_cost_aud(self) -> float:
        return self.import_cost_aud - self.export_value_aud


@dataclass(frozen=True, slots=True)
class Latest:
    """The newest record's figures, for the 'now' sensors."""

    interval_start: datetime
    net_import_kw: float
    price_buy: float
    price_sell: float
    baseline_method: str

    @property
    def cost_rate_aud_per_h(self) -> float:
        """What the home is doing now at the current price, as AUD per hour."""
        cost = money.interval_cost_aud(self.net_import_kw, self.price_buy, self.price_sell)
        return cost / money.INTERVAL_HOURS


def period_start(moment: datetime, period: Period) -> datetime:
    """The local start of the hour, day or month ``moment`` (aware, local) falls in."""
    start = moment.replace(minute=0, second=0, microsecond=0)
    if period == "hour":
        return start
    start = start.replace(hour=0)
    return start if period == "day" else start.replace(day=1)


@dataclass(slots=True)
class HouseholdLedger:
    """Totals per period, the recent buy prices and the newest record; ``as_dict`` is what is stored."""

    totals: dict[str, Totals] = field(default_factory=dict)
    prices: dict[str, list[float]] = field(default_factory=dict)  # local day (ISO date) -> buy prices
    days: dict[str, dict[str, float]] = field(default_factory=dict)  # local day -> standing.PARTS sums
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=SEEN_LIMIT))
    latest: Latest | None = None
    next_price: float | None = None  # $/kWh, from the price input's forecast; not stored

    # -- updating -------------------------------------------------------------
    def roll(self, now: datetime) -> None:
        """Start the periods that began by ``now`` (aware, local), so a new day shows 0, not yesterday."""
        for period in PERIODS:
            start = period_start(now, period).isoformat()
            current = self.totals.get(period)
            if current is None or current.start < start:
                self.totals[period] = Totals(start)

    def add(self, record: Mapping[str, Any], zone: tzinfo) -> bool:
        """Count one kept record; False when its interval was counted already."""
        key = str(record["interval_start_utc"])
        if key in self.seen:
            return False
        self.seen.append(key)
        start = parse_utc(key)
        if start is None:  # never for a kept record, which was validated
            return False
        local = start.astimezone(zone)
        self.roll(local)
        net, baseline = float(record["net_import_kw"]), float(record["naive_baseline_kw"])
        buy, sell = float(record["price_signal_seen"]), float(record["price_export_seen"])
        for period in PERIODS:
            totals = self.totals[period]
            if period_start(local, period).isoformat() != totals.start:
                continue  # a late record of an earlier period: its own period is over
            totals.import_cost_aud += money.import_cost_aud(net, buy)
            totals.export_value_aud += money.export_value_aud(net, sell)
            totals.saving_aud += money.saving_aud(net, baseline, buy, sell)
            totals.intervals += 1
        self._add_price(local, buy)
        self._add_parts(local, record)
        if self.latest is None or start >= self.latest.interval_start:
            self.latest = Latest(start, net, buy, sell, str(record["naive_baseline_method"]))
        return True

    def _add_price(self, local: datetime, buy: float) -> None:
        day = local.date()
        self.prices.setdefault(day.isoformat(), []).append(buy)
        oldest = (day - PRICE_WINDOW + timedelta(days=1)).isoformat()
        for stale in [key for key in self.prices if key < oldest]:
            del self.prices[stale]

    def _add_parts(self, local: datetime, record: Mapping[str, Any]) -> None:
        day = local.date()
        sums = self.days.setdefault(day.isoformat(), dict.fromkeys(standing.PARTS, 0.0))
        for name, amount in standing.record_parts(record).items():
            sums[name] += float(amount)
        oldest = (day - timedelta(days=standing.WINDOW_DAYS - 1)).isoformat()
        for stale in [key for key in self.days if key < oldest]:
            del self.days[stale]

    # -- reading --------------------------------------------------------------
    def own_measures(self) -> dict[str, float | None]:
        """This household's standing measures over the days kept (the last ``standing.WINDOW_DAYS``)."""
        sums = {name: sum(day[name] for day in self.days.values()) for name in standing.PARTS}
        return standing.measures(sums, len(self.days))

    def current(self, interval_start: datetime) -> Latest | None:
        """The newest record if it is for the interval that started at ``interval_start``, else None."""
        if self.latest is None or self.latest.interval_start != interval_start:
            return None
        return self.latest

    def price_samples(self) -> int:
        return sum(len(day) for day in self.prices.values())

    def price_thresholds(self) -> tuple[float, float, float] | None:
        """The 25th percentile, median and 75th percentile ($/kWh) of the recent buy prices, once known."""
        values = [price for day in self.prices.values() for price in day]
        if len(values) < PRICE_MIN_SAMPLES:
            return None
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        low, high = (cuts[round(share * 100) - 1] for share in PRICE_QUANTILES)
        return low, statistics.median(values), high

    def price_level(self, price: float) -> PriceLevel | None:
        """Cheap, normal or expensive for the household; None until a day of prices is known.

        Cheap is at or below the 25th percentile and below the median; expensive at or above
        the 75th and above the median. Tariffs hold few distinct prices, so percentiles tie: an
        off-peak rate that fills a quarter of the intervals is cheap, while a flat rate is normal.
        """
        thresholds = self.price_thresholds()
        if thresholds is None:
            return None
        low, median, high = thresholds
        if price <= low and price < median:
            return "cheap"
        if price >= high and price > median:
            return "expensive"
        return "normal"

    # -- storage --------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": {period: asdict(totals) for period, totals in self.totals.items()},
            "prices": self.prices,
            "days": self.days,
            "seen": list(self.seen),
            "latest": None
            if self.latest is None
            else {**asdict(self.latest), "interval_start": self.latest.interval_start.isoformat()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> HouseholdLedger:
        """The stored ledger; an unreadable store starts afresh (the figures are derived, the records are safe)."""
        ledger = cls()
        if not data:
            return ledger
        try:
            ledger.totals = {period: Totals(**data["totals"][period]) for period in PERIODS if period in data["totals"]}
            ledger.prices = {str(day): [float(p) for p in values] for day, values in data["prices"].items()}
            ledger.seen.extend(str(key) for key in data["seen"])
            ledger.days = {
                str(day): {name: float(sums[name]) for name in standing.PARTS}
                for day, sums in data.get("days", {}).items()
            }
            latest = data.get("latest")
            if latest:
                ledger.latest = Latest(**{**latest, "interval_start": datetime.fromisoformat(latest["interval_start"])})
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()
        return ledger


def forecast_at(forecast: object, moment: datetime) -> float | None:
    """The value a ``forecast`` attribute ([{time, value}, ...], HAEO's form) holds at ``moment``."""
    if not isinstance(forecast, list):
        return None
    found: float | None = None
    for point in forecast:
        if not isinstance(point, Mapping):
            return None
        raw_time, value = point.get("time"), point.get("value")
        when = raw_time if isinstance(raw_time, datetime) else _parse_time(raw_time)
        if when is None or when.tzinfo is None or isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if when > moment:
            break
        found = float(value)
    return found


def _parse_time(raw: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None
