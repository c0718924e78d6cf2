"""Feeds an ESC/POS byte stream to emupos's simulated printer and prints what it saw, as JSON.

Used by devices/tests/emupos.rs: emupos (PyPI, pinned 0.4.0) is an independent decoder, so
a golden test here checks our bytes against someone else's reading of the Epson reference.

    python emupos_decode.py PROFILE INPUT [--code-page N=NAME]... [--fault NAME]...

PROFILE is a built-in emupos printer profile (e.g. epson-tm-t20iii); `--code-page` adds an
ESC t number the built-in profile lacks (emupos: "a profile file can add it"); `--fault`
sets a fault (paper-out, paper-near-end, cover-open, offline) before the bytes arrive.
Output: {"receipts": [{"text", "boundary", "width_dots"}], "events": [{"type", "data"}],
"replies": "hex of the bytes the printer sent back"}.
"""

import argparse
import json
import sys
from importlib import resources

import yaml
from emupos.config import PrinterProfile
from emupos.printer.printer import Printer, PrinterFault

CONNECTION = "test"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("input")
    parser.add_argument("--code-page", action="append", default=[])
    parser.add_argument("--fault", action="append", default=[])
    args = parser.parse_args()

    folder = resources.files("emupos").joinpath("profiles", "printers")
    raw = yaml.safe_load(folder.joinpath(f"{args.profile}.yaml").read_text(encoding="utf-8"))
    for entry in args.code_page:
        number, name = entry.split("=", 1)
        raw["code_pages"][int(number)] = name
    profile = PrinterProfile.model_validate(raw)

    printer = Printer(CONNECTION, profile, sensor_open_level="high", job_idle_timeout_ms=1000)
    with open(args.input, "rb") as file:
        data = file.read()

    output = printer.open_connection(CONNECTION, 0.0)
    for fault in args.fault:
        output += printer.set_fault(PrinterFault(fault), True, 0.0)
    output += printer.receive(CONNECTION, data, 0.0)
    output += printer.close_connection(CONNECTION, 0.0)

    json.dump(
        {
            "receipts": [
                {"text": r.text, "boundary": r.boundary, "width_dots": r.width_dots}
                for r in output.receipts
            ],
            "events": [{"type": str(e.type), "data": dict(e.data)} for e in output.events],
            "replies": b"".join(w.data for w in output.writes).hex(),
        },
        sys.stdout,
        ensure_ascii=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
