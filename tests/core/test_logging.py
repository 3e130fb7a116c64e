"""The log pipeline: one shape for every source, case ids attached, personal data masked."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs
from temporalio import activity, workflow
from temporalio.testing import ActivityEnvironment

from core import logging as logging_setup
from core.logging import (
    add_temporal_context,
    configure_logging,
    get_logger,
    mask_personal_data,
)

ID_NUMBER = "11010519491231002X"
ID_MASKED = "110105********002X"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
CASE_ID = "WA-2026-000123"

# The loggers configure_logging routes, restored after each test (with the root logger).
_TOUCHED_LOGGERS = logging_setup.ROUTED_LOGGERS


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """configure_logging mutates process-wide state; put all of it back for other tests."""
    root = logging.getLogger()
    root_level = root.level
    root_handlers = set(root.handlers)
    named = {
        name: (lg.level, lg.propagate, list(lg.handlers))
        for name, lg in ((n, logging.getLogger(n)) for n in _TOUCHED_LOGGERS)
    }
    activity_on_message = activity.logger.activity_info_on_message
    workflow_on_message = workflow.logger.workflow_info_on_message
    structlog.contextvars.clear_contextvars()
    try:
        yield
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        # Only drop what configure_logging added: pytest swaps its own capture handlers on
        # the root logger between test phases, so restoring a snapshot would resurrect them.
        for handler in list(root.handlers):
            if handler not in root_handlers and type(handler).__module__ == "core.logging":
                root.removeHandler(handler)
        root.setLevel(root_level)
        for name, (level, propagate, handlers) in named.items():
            lg = logging.getLogger(name)
            lg.setLevel(level)
            lg.propagate = propagate
            lg.handlers[:] = handlers
        activity.logger.activity_info_on_message = activity_on_message
        workflow.logger.workflow_info_on_message = workflow_on_message


def _json_lines(out: str) -> list[dict[str, Any]]:
    lines = [line for line in out.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


# --- masking ------------------------------------------------------------------------


def test_mask_processor_masks_message_and_kwargs_but_not_case_ids() -> None:
    log = structlog.get_logger()
    with capture_logs(processors=[mask_personal_data]) as logs:
        log.info(
            f"worker {ID_NUMBER} reachable at {PHONE}",
            id_number=ID_NUMBER,
            phone=PHONE,
            case_id=CASE_ID,
            nested={"contact": {"phones": [PHONE, f"tel:{PHONE}"]}},
            as_int=int(PHONE),
        )

    [entry] = logs
    assert entry["event"] == f"worker {ID_MASKED} reachable at {PHONE_MASKED}"
    assert entry["id_number"] == ID_MASKED
    assert entry["phone"] == PHONE_MASKED
    assert entry["case_id"] == CASE_ID
    assert entry["nested"] == {"contact": {"phones": [PHONE_MASKED, f"tel:{PHONE_MASKED}"]}}
    assert entry["as_int"] == PHONE_MASKED
    assert ID_NUMBER not in repr(entry) and PHONE not in repr(entry)


def test_configured_chain_masks_through_capture_logs() -> None:
    """Guards the wiring, not just the function: masking must be in the configured chain."""
    configure_logging("json")
    configured = [
        p
        for p in structlog.get_config()["processors"]
        if p is not structlog.stdlib.ProcessorFormatter.wrap_for_formatter
    ]
    log = get_logger("tests.core")
    with capture_logs(processors=configured) as logs:
        log.warning("callback to %s failed", PHONE, id_number=ID_NUMBER.lower(), case=CASE_ID)

    [entry] = logs
    assert entry["event"] == f"callback to {PHONE_MASKED} failed"
    assert entry["id_number"] == ID_MASKED.lower()
    assert entry["case"] == CASE_ID
    assert entry["level"] == "warning"
    assert entry["logger"] == "tests.core"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ID_NUMBER, ID_MASKED),
        ("110105194912310021", "110105********0021"),
        (f"身份证号{ID_NUMBER}，电话{PHONE}", f"身份证号{ID_MASKED}，电话{PHONE_MASKED}"),
        (f"+86{PHONE}", f"+86{PHONE_MASKED}"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        # Not personal data: must survive untouched.
        (CASE_ID, CASE_ID),
        ("2026-01-15T08:30:00.123456Z", "2026-01-15T08:30:00.123456Z"),
        ("1110105194912310021", "1110105194912310021"),  # 19-digit run, not an ID
        ("138123456789", "138123456789"),  # 12 digits, not a phone
        ("12812345678", "12812345678"),  # no 12x mobile prefix
        ("123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
    ],
)
def test_mask_patterns(text: str, expected: str) -> None:
    assert mask_personal_data(None, "info", {"event": text})["event"] == expected


def test_mask_does_not_mutate_caller_payload() -> None:
    payload = {"phone": PHONE}
    result = mask_personal_data(None, "info", {"event": "x", "payload": payload})
    assert result["payload"] == {"phone": PHONE_MASKED}
    assert payload == {"phone": PHONE}


# --- rendering ----------------------------------------------------------------------


def test_json_lines_from_structlog_and_stdlib_share_one_shape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json")

    get_logger("labour.test").info("case opened", case_id=CASE_ID, phone=PHONE)
    logging.getLogger("uvicorn.error").warning(
        "worker %s called", PHONE, extra={"color_message": "\x1b[1mnoise\x1b[0m"}
    )

    out = capsys.readouterr().out
    structlog_line, stdlib_line = _json_lines(out)
    for line in (structlog_line, stdlib_line):
        assert {"event", "level", "timestamp", "logger"} <= line.keys()
        assert line["timestamp"].endswith("Z")
    assert structlog_line["logger"] == "labour.test"
    assert structlog_line["level"] == "info"
    assert structlog_line["case_id"] == CASE_ID
    assert structlog_line["phone"] == PHONE_MASKED
    assert stdlib_line["logger"] == "uvicorn.error"
    assert stdlib_line["level"] == "warning"
    assert stdlib_line["event"] == f"worker {PHONE_MASKED} called"
    assert "color_message" not in stdlib_line
    assert PHONE not in out


def test_json_keeps_chinese_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    get_logger("labour.test").info("欠薪案件已受理")
    assert "欠薪案件已受理" in capsys.readouterr().out


def test_exception_tracebacks_are_rendered_and_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        get_logger("labour.test").exception("structlog failure")
        logging.getLogger("sqlalchemy").exception("stdlib failure")

    out = capsys.readouterr().out
    lines = _json_lines(out)
    assert [line["event"] for line in lines] == ["structlog failure", "stdlib failure"]
    for line in lines:
        assert "Traceback" in line["exception"]
        assert f"bad phone {PHONE_MASKED}" in line["exception"]
    assert PHONE not in out


def test_structures_deeper_than_the_walk_are_masked_before_rendering(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json")
    deep = {"a": {"b": {"c": {"d": {"e": {"phone": PHONE, "id": ID_NUMBER}}}}}}
    get_logger("labour.test").info("deep", payload=deep)
    logging.getLogger("uvicorn.error").info("deep too", extra={"payload": deep})
    clean = {"a": {"b": {"c": {"d": {"e": {"amount": "3000.00"}}}}}}
    get_logger("labour.test").info("clean", payload=clean)

    out = capsys.readouterr().out
    masked, stdlib, untouched = _json_lines(out)
    assert PHONE not in out and ID_NUMBER not in out
    assert PHONE_MASKED in json.dumps(masked["payload"])
    assert ID_MASKED in json.dumps(stdlib["payload"])
    # Without personal data the structure is rendered as it is, not flattened to text.
    assert untouched["payload"] == clean
    assert deep["a"]["b"]["c"]["d"]["e"]["phone"] == PHONE  # the caller's object untouched


def test_dict_keys_are_masked_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    get_logger("labour.test").info("phone book", contacts={PHONE: "mobile", ID_NUMBER: "id"})
    out = capsys.readouterr().out
    [line] = _json_lines(out)
    assert line["contacts"] == {PHONE_MASKED: "mobile", ID_MASKED: "id"}
    assert PHONE not in out and ID_NUMBER not in out


def test_chained_exceptions_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    try:
        try:
            raise KeyError(ID_NUMBER)
        except KeyError as err:
            raise RuntimeError(f"lookup of {PHONE} failed") from err
    except RuntimeError:
        get_logger("labour.test").exception("chained")
    out = capsys.readouterr().out
    [line] = _json_lines(out)
    assert "The above exception was the direct cause" in line["exception"]
    assert ID_MASKED in line["exception"] and PHONE_MASKED in line["exception"]
    assert PHONE not in out and ID_NUMBER not in out


def test_objects_rendered_via_repr_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    @dataclasses.dataclass
    class Worker:
        name: str
        phone: str

    configure_logging("json")
    get_logger("labour.test").info("worker loaded", worker=Worker("张三", PHONE))

    out = capsys.readouterr().out
    [line] = _json_lines(out)
    assert PHONE_MASKED in line["worker"]
    assert PHONE not in out


def test_console_format_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("console")
    get_logger("labour.test").info("case opened", phone=PHONE)
    out = capsys.readouterr().out
    assert "case opened" in out and PHONE_MASKED in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out.splitlines()[0])


def test_auto_format_is_json_when_stdout_is_not_a_tty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("auto")
    get_logger("labour.test").info("hello")
    [line] = _json_lines(capsys.readouterr().out)
    assert line["event"] == "hello"


def test_level_is_applied_and_validated(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", level="warning")
    get_logger("labour.test").info("hidden")
    logging.getLogger("uvicorn.access").info("hidden too")
    get_logger("labour.test").warning("shown")
    assert [line["event"] for line in _json_lines(capsys.readouterr().out)] == ["shown"]

    with pytest.raises(ValueError, match="LOUD"):
        configure_logging("json", level="LOUD")


def test_sqlalchemy_engine_is_quiet_and_temporal_is_info() -> None:
    configure_logging("json", level="DEBUG")
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("temporalio").getEffectiveLevel() == logging.INFO


# --- context ------------------------------------------------------------------------


def test_contextvars_reach_stdlib_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    structlog.contextvars.bind_contextvars(case_id="WA-2026-000001")

    logging.getLogger("uvicorn.access").info("GET /cases/WA-2026-000001 200")
    get_logger("labour.test").info("from structlog")

    lines = _json_lines(capsys.readouterr().out)
    assert len(lines) == 2
    assert all(line["case_id"] == "WA-2026-000001" for line in lines)


def test_activity_context_adds_case_id_and_strips_temporal_extras(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json")
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        ActivityEnvironment.default_info(),
        workflow_id=CASE_ID,
        activity_type="notify_worker",
        attempt=3,
    )

    def notify() -> None:
        activity.logger.info("sms sent")
        get_logger("activities.notify").info("structlog inside activity")

    env.run(notify)

    temporal_line, structlog_line = _json_lines(capsys.readouterr().out)
    assert temporal_line["case_id"] == CASE_ID
    assert temporal_line["activity"] == "notify_worker"
    assert temporal_line["attempt"] == 3
    assert "temporal_activity" not in temporal_line
    # The details are keys now; the SDK's "(... {dict})" suffix would only repeat them.
    assert temporal_line["event"] == "sms sent"
    assert structlog_line["case_id"] == CASE_ID
    assert structlog_line["activity"] == "notify_worker"


def test_temporal_workflow_extra_is_lifted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    logging.getLogger("temporalio.workflow").info(
        "reminder timer fired",
        extra={
            "temporal_workflow": {
                "attempt": 1,
                "namespace": "default",
                "run_id": "0193-run",
                "task_queue": "labour-cases",
                "workflow_id": CASE_ID,
                "workflow_type": "WageArrearsCase",
            }
        },
    )

    [line] = _json_lines(capsys.readouterr().out)
    assert line["case_id"] == CASE_ID
    assert line["workflow"] == "WageArrearsCase"
    assert "temporal_workflow" not in line and "run_id" not in line


def test_bound_case_id_wins_over_temporal_context() -> None:
    event = add_temporal_context(
        None,
        "info",
        {"event": "x", "case_id": "WA-2026-000009", "temporal_activity": {"workflow_id": CASE_ID}},
    )
    assert event["case_id"] == "WA-2026-000009"


def test_outside_temporal_nothing_is_added() -> None:
    assert add_temporal_context(None, "info", {"event": "x"}) == {"event": "x"}


# --- idempotence --------------------------------------------------------------------


def test_configuring_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # What uvicorn's own dictConfig leaves behind: a private handler and no propagation.
    logging.getLogger("uvicorn.error").addHandler(logging.StreamHandler())
    logging.getLogger("uvicorn.access").propagate = False
    configure_logging("json")
    configure_logging("json")

    get_logger("labour.test").info("once")
    logging.getLogger("uvicorn.error").info("once too")
    logging.getLogger("uvicorn.access").info("GET / 200")

    captured = capsys.readouterr()
    events = [line["event"] for line in _json_lines(captured.out)]
    assert events == ["once", "once too", "GET / 200"]
    assert captured.err == ""
    ours = [h for h in logging.getLogger().handlers if type(h).__module__ == "core.logging"]
    assert len(ours) == 1
