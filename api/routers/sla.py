"""Placeholder replaced by the SLA board router."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])
