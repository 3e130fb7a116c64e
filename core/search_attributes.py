"""Search attributes the workflows set, for operators filtering in the Temporal UI.

Never personal data: search attributes are stored and shown unencrypted.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CASE_KIND = SearchAttributeKey.for_keyword("CaseKind")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
COUNTY_CODE = SearchAttributeKey.for_keyword("CountyCode")
NEXT_DUE_AT = SearchAttributeKey.for_datetime("NextDueAt")

ALL = (CASE_KIND, CASE_STATUS, COUNTY_CODE, NEXT_DUE_AT)
