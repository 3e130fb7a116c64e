"""Per-county settings: the *configurable* values of the rules, with their defaults."""

from __future__ import annotations

from decimal import Decimal

from domain.common import CountyCode, StrictModel

# The counties of Taiyuan (GB/T 2260 division codes): the embedded stack's demo city, its
# pages' county filters and the benchmarks' data.
TAIYUAN_COUNTIES: dict[str, str] = {
    "140105": "小店区",
    "140106": "迎泽区",
    "140107": "杏花岭区",
    "140108": "尖草坪区",
    "140109": "万柏林区",
    "140110": "晋源区",
    "140121": "清徐县",
    "140122": "阳曲县",
    "140123": "娄烦县",
    "140181": "古交市",
}


class RegionSettings(StrictModel):
    county_code: CountyCode
    major_worker_count: int = 10  # WA-3, LDMAL Art.7
    major_amount_threshold: Decimal = Decimal("100000")  # WA-3
    order_to_pay_days: int = 7  # WA-6
    deposit_payout_working_days: int = 5  # WA-7
    # WA-10: the bottom of the national ranges, so the engine never refuses a referral the
    # law allows; a province sets its own figure.
    police_threshold_individual: Decimal = Decimal("5000")
    police_threshold_months: int = 3
    police_threshold_group: Decimal = Decimal("30000")
    police_group_size: int = 10
    settle_warn_days: int = 1
    # MA-8: a placeholder until the county sets its own local monthly minimum wage.
    monthly_minimum_wage: Decimal = Decimal("2000")
    # SI-4: the benefit waiting period after a gap of more than 3 months.
    medical_waiting_period_months: int = 6
    # PW-4: days after a project's pay date before an unpaid worker's breach opens a case.
    payroll_grace_days: int = 3
