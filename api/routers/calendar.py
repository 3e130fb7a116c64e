"""Placeholder replaced by the calendar admin router."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/admin/calendar", tags=["admin"])
