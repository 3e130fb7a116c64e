"""The workflows' patches, and the marks that stand for them in a new case.

Each `workflow.patched(id)` a new case calls records a marker and, through the SDK, an upsert
of the `TemporalChangeVersion` search attribute: two events per patch, in every case, for
ever. A case started on this code calls one patch, the newest mark (CURRENT), which stands for
every patch it lists; a case started under an older mark replays with that mark's list, and a
case started before any mark asks each patch as it did. `begin()` asks the marks where the
run begins, newest first, so a run of an older case is still replaying when it asks them and
keeps its answers for the whole run.

A new patch is not added to a mark that cases have already recorded: it is asked on its own
(`workflow.patched`) until the next mark is cut, which lists it with all before it and takes
a new id (MARKS, newest first).
"""

from __future__ import annotations

from temporalio import workflow

# Cases opened before actions were stamped replay without the check: update validators run
# again on replay, and their actions carry no stamp.
STAMPED_ACTIONS = "stamped-actions"
# Cases whose `wait_opened` answered with the action result before it answered with the view
# (so that a create is one call) replay as they ran.
OPENED_VIEW = "opened-returns-view"
# Cases opened before their timers and child cases carried summaries for the Temporal UI
# replay without them.
CASE_SUMMARIES = "case-summaries"
# Cases opened before the law was read as written replay and carry on as they ran: disputes
# before day 15 of mediation stopped applying for arbitration by itself (MA-1), before the
# enforcement window rolled past rest days (MA-10, CAL-3), and before an award was judged
# against the minimum wage of its day (MA-8); wage-arrears cases before WA-1 applied to a
# case triaged general, and before a linked dispute's agreement or award changed what is
# owed (WA-5).
LAW_AS_WRITTEN = "law-as-written"
# Wage-arrears cases opened before the WA-12 and WA-4 clocks existed replay without them.
WA12_WA4_CLOCKS = "wa12-wa4-clocks"
# Referrals made before the dispute case existed replay without starting one.
START_DISPUTE_CASE = "start-dispute-case"
# Lookups and read-model writes as local activities (workflows/deadlines.py, run_io).
LOCAL_IO = "local-io"
# The case's timer kept while its moment stands (DeadlineClock, steady).
STEADY_TIMER = "steady-timer"

# PW-4: a case opened by a project watch tells the project of the payments confirmed in it.
PROJECT_WATCH_PAYMENTS = "project-watch-payments"
# PW-2: the next month opens at the watch's spread instant (or when a batch for it comes
# first), not at the funding cycle's end itself: a province's projects do not all wake at once.
PROJECT_WATCH_SPREAD_OPENING = "project-watch-spread-opening"
# PW-3, PW-4: a month whose pay date came with no wage sheet stays open until the sheet comes,
# and what a sheet (or any batch) recorded after the grace shows owed opens or joins the case at
# once, instead of only what was owed at the grace's end.
PROJECT_WATCH_LATE_SHEET = "project-watch-late-sheet"
# WA-4: each case's campaign warnings come up to a day before their nominal time, by a spread
# of its id (docs/RULES-notes.md); the legal due times do not move.
CAMPAIGN_WARNING_SPREAD = "campaign-warning-spread"

# What the mark "cases-2026-12" stands for in a case that recorded it.
IN_CASES_2026_12 = frozenset(
    {
        STAMPED_ACTIONS,
        OPENED_VIEW,
        CASE_SUMMARIES,
        LAW_AS_WRITTEN,
        WA12_WA4_CLOCKS,
        START_DISPUTE_CASE,
        LOCAL_IO,
        STEADY_TIMER,
    }
)
# The marks, newest first: each stands for every patch it lists in a case that records it.
MARKS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "cases-2026-12b",
        IN_CASES_2026_12
        | {
            PROJECT_WATCH_PAYMENTS,
            PROJECT_WATCH_SPREAD_OPENING,
            PROJECT_WATCH_LATE_SHEET,
            CAMPAIGN_WARNING_SPREAD,
        },
    ),
    ("cases-2026-12", IN_CASES_2026_12),
)
CURRENT = MARKS[0][0]


def begin() -> None:
    """Called first in every case run: asks the marks, newest first, while an older run still
    replays (the first it recorded answers True; a new run records CURRENT only)."""
    for mark, _ in MARKS:
        if workflow.patched(mark):
            return


def patched(patch_id: str) -> bool:
    """`workflow.patched(patch_id)`, True without a marker of its own in a case whose mark
    lists it. The marks' answers were kept by `begin()`: asking again records nothing."""
    for mark, listed in MARKS:
        if workflow.patched(mark):
            return patch_id in listed or workflow.patched(patch_id)
    return workflow.patched(patch_id)
