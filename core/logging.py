"""One log pipeline for our code, uvicorn, SQLAlchemy and Temporal.

Follows structlog's "standard library integration with ProcessorFormatter" recipe:
structlog events and plain `logging` records both end up in a single root handler whose
`ProcessorFormatter` renders them the same way, so a line from `uvicorn.error` carries the
same `timestamp`/`level`/`logger`/`case_id` keys as one from our own code.

The case file of a migrant worker is full of ID-card and phone numbers. They should never
be logged in the first place; `mask_personal_data` is the safety net for when they are.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger
from temporalio import activity, workflow

__all__ = [
    "add_temporal_context",
    "configure_logging",
    "get_logger",
    "mask_personal_data",
]

LogFormat = Literal["auto", "json", "console"]

# Third-party loggers that must not print on their own: uvicorn in particular installs its
# own handlers, which would bypass the formatter (and the masking) and double every line.
ROUTED_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "temporalio",
)

# 18-character resident ID: 17 digits + check character. The digit look-arounds keep us
# from chewing a slice out of a longer number (order ids, snowflakes).
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
# Mainland mobile, optionally with +86/0086/86 and the usual 3-4-4 spacing, because that is
# how people type them into free-text fields that end up in exception messages.
_MOBILE = re.compile(r"(?<!\d)((?:(?:\+|00)?86[ -]?)?1[3-9]\d)([ -]?)\d{4}([ -]?)(\d{4})(?!\d)")

# Far enough for `{"worker": {"contacts": [{"phone": ...}]}}`; deeper payloads do not
# belong in a log line anyway, and the last pass masks them whole (as text) if they leak.
_MAX_DEPTH = 4

# Keys whose values other processors or the formatter still need as real objects.
_UNTOUCHABLE_KEYS = frozenset({"exc_info", "_record", "_from_structlog"})


def _mask_text(text: str) -> str:
    # ID numbers first: they are longer, so a phone-shaped slice can never be taken from one.
    text = _ID_NUMBER.sub(r"\1********\2", text)
    return _MOBILE.sub(r"\1\2****\3\4", text)


def mask_text(text: str) -> str:
    """ID numbers and mobiles in free text masked, as every log line has them."""
    return _mask_text(text)


def _mask_value(value: Any, depth: int, *, repr_objects: bool) -> Any:
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        # A phone number stored as an int is still a phone number.
        text = str(value)
        masked = _mask_text(text)
        return value if masked == text else masked
    if depth <= 0:
        if repr_objects and isinstance(value, dict | list | tuple):
            # Too deep to walk, but the renderer would print all of it.
            text = repr(value)
            masked = _mask_text(text)
            return value if masked == text else masked
        return value
    if isinstance(value, dict):
        # Keys too: `{"13812345678": "mobile"}` is a phone book.
        new_dict = {
            (_mask_text(k) if isinstance(k, str) else k): _mask_value(
                v, depth - 1, repr_objects=repr_objects
            )
            for k, v in value.items()
        }
        # Hand back the caller's own object when nothing changed: it may be live state.
        changed = new_dict.keys() != value.keys() or any(
            new_dict[k] is not v for k, v in value.items()
        )
        return new_dict if changed else value
    if isinstance(value, list | tuple):
        items = [_mask_value(v, depth - 1, repr_objects=repr_objects) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if repr_objects:
        # Renderers fall back to repr() for unknown objects (models, exceptions), so the
        # personal data would slip out there; substitute the masked repr only when needed.
        text = repr(value)
        masked = _mask_text(text)
        return value if masked == text else masked
    return value


def _mask_event_dict(event_dict: EventDict, *, repr_objects: bool) -> EventDict:
    for key, value in event_dict.items():
        if key in _UNTOUCHABLE_KEYS:
            continue
        event_dict[key] = _mask_value(value, _MAX_DEPTH, repr_objects=repr_objects)
    return event_dict


def mask_personal_data(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Mask resident ID numbers and mainland mobile numbers in every string value.

    ``11010519491231002X`` becomes ``110105********002X``; ``13812345678`` becomes
    ``138****5678``. Case ids such as ``WA-2026-000123`` and ISO timestamps never match.
    """
    return _mask_event_dict(event_dict, repr_objects=False)


def _mask_personal_data_before_render(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    # Second pass right before rendering: by now tracebacks are text and arbitrary objects
    # are about to be repr()'d, neither of which the early pass could see.
    return _mask_event_dict(event_dict, repr_objects=True)


def _lift_temporal_extra(event_dict: EventDict, extra_key: str, type_key: str, alias: str) -> None:
    details = event_dict.get(extra_key)
    if not isinstance(details, Mapping):
        return
    del event_dict[extra_key]
    workflow_id = details.get("workflow_id")
    if workflow_id is not None:
        event_dict.setdefault("case_id", workflow_id)
    # Only what helps read a case's story; the run ids and queue names are in Temporal's UI.
    if details.get(type_key) is not None:
        event_dict.setdefault(alias, details[type_key])
    if details.get("attempt") is not None:
        event_dict.setdefault("attempt", details["attempt"])
    if details.get("update_name") is not None:
        event_dict.setdefault("update", details["update_name"])


def add_temporal_context(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    """Tag events emitted inside Temporal activities and workflows with their ``case_id``.

    Workflow ids are case ids (``WA-2026-000123``), so every line about a case can be
    found with one filter. Also flattens the ``temporal_activity`` / ``temporal_workflow``
    extras that Temporal's own loggers attach.
    """
    _lift_temporal_extra(event_dict, "temporal_activity", "activity_type", "activity")
    _lift_temporal_extra(event_dict, "temporal_workflow", "workflow_type", "workflow")

    # A logging call must never fail because of its decoration, hence the broad excepts.
    try:
        if activity.in_activity():
            info = activity.info()
            if info.workflow_id is not None:
                event_dict.setdefault("case_id", info.workflow_id)
            event_dict.setdefault("activity", info.activity_type)
            return event_dict
    except Exception:
        pass
    try:
        in_workflow = getattr(workflow, "in_workflow", None)
        if in_workflow is not None and in_workflow():
            event_dict.setdefault("case_id", workflow.info().workflow_id)
    except Exception:
        pass
    return event_dict


def _drop_color_message(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    # uvicorn passes an ANSI-coloured duplicate of every message as an extra.
    event_dict.pop("color_message", None)
    return event_dict


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stdout` is at emit time.

    Binding the stream once would pin the object that was current at configuration time,
    so output redirected later (pytest's capsys, `contextlib.redirect_stdout`) would be
    missed.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        # StreamHandler.__init__ and setStream assign here; the property is the truth.
        pass


def _resolve_level(level: str) -> int:
    levels = logging.getLevelNamesMapping()
    try:
        return levels[level.upper()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}") from None


def _stdout_is_tty() -> bool:
    # stdout can be None (pythonw, some daemons) or a stream without isatty().
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def configure_logging(log_format: LogFormat = "auto", level: str = "INFO") -> None:
    """Route structlog and stdlib logging through one masked, structured stdout handler.

    Safe to call more than once: the previous handler is replaced, never duplicated.
    """
    numeric_level = _resolve_level(level)
    use_console = log_format == "console" or (log_format == "auto" and _stdout_is_tty())
    renderer: Processor = (
        structlog.dev.ConsoleRenderer()
        if use_console
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )

    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    # Shared by both paths so a uvicorn record and a structlog event get identical keys.
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        timestamper,
    ]

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            # Cheap early exit before the regexes run on events nobody will see.
            structlog.stdlib.filter_by_level,
            *shared[1:],
            structlog.stdlib.PositionalArgumentsFormatter(),
            add_temporal_context,
            mask_personal_data,
            structlog.processors.StackInfoRenderer(),
            # Exceptions are rendered in the formatter instead, once for both paths, so
            # the traceback text also passes through the final masking pass.
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *shared,
            structlog.stdlib.ExtraAdder(),
            _drop_color_message,
            add_temporal_context,
            mask_personal_data,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _mask_personal_data_before_render,
            renderer,
        ],
    )

    handler = _StdoutHandler()
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for existing in list(root.handlers):
        # Replace our previous handler and a basicConfig() one, which would print every
        # record a second time unmasked; leave other handlers (files, pytest's capture).
        if isinstance(existing, _StdoutHandler) or type(existing) is logging.StreamHandler:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric_level)

    for name in ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        for existing in list(routed.handlers):
            routed.removeHandler(existing)
        routed.propagate = True
    # Statement-level SQL logging would drown everything else (and may carry bound params).
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.getLogger("temporalio").setLevel(logging.INFO)
    # Alembic announces each of its plugins at INFO on every start; the upgrades it runs
    # (alembic.runtime.migration) stay at INFO.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    # add_temporal_context already lifts these details into keys; appending a dict repr to
    # every message as well only makes lines longer and harder to search.
    activity.logger.activity_info_on_message = False
    workflow.logger.workflow_info_on_message = False


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """Return a structlog logger backed by the stdlib logger ``name``.

    Without a name, the calling module's ``__name__`` is used, matching
    ``logging.getLogger(__name__)``.
    """
    if name is None:
        name = str(sys._getframe(1).f_globals.get("__name__", "root"))
    return structlog.stdlib.get_logger(name)
