import json
import logging

from server.logs import JsonFormatter


def test_json_lines_carry_level_logger_message_and_extras() -> None:
    record = logging.LogRecord(
        "server.relay", logging.INFO, __file__, 1, "device %s offline", ("001234",), None
    )
    record.account = "001234"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info"
    assert line["logger"] == "server.relay"
    assert line["msg"] == "device 001234 offline"
    assert line["account"] == "001234"
