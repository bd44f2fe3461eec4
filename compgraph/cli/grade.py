"""``compgraph grade KEY.json ANSWERS.json``: a student's score and the hints.

``KEY.json`` is the answer key ``compgraph exercise`` wrote; ``ANSWERS.json``
a JSON object, node name -> number, such as ``{"x": -4, "y": -4, "z": 3}``
(a node left out is not answered). Prints the score and, for each wrong
answer, the step of the backward (or forward) pass that computes it. Exit
status 0 when every answer is right, 1 when some are wrong or missing, 2 for
a file that cannot be read or is not such a key or such answers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from compgraph.cli.usage import UsageError
from compgraph.exercise import AnswerError, grade_key

__all__ = ["add_command", "run"]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``grade`` and its arguments to the ``compgraph`` command."""
    parser = commands.add_parser(
        "grade",
        help="grade a student's answers with the answer key of compgraph exercise",
        description="Grade ANSWERS.json, a JSON object node -> number such as "
        '{"x": -4, "y": -4}, with KEY.json from compgraph exercise. Exit status 0: '
        "all right; 1: some wrong or missing; 2: bad input.",
    )
    parser.add_argument("key", metavar="KEY.json", help="the answer key")
    parser.add_argument("answers", metavar="ANSWERS.json", help="the student's answers")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the report; 0 if every answer is right, else 1."""
    key = _read(args.key)
    answers = _read(args.answers)
    try:
        report = grade_key(key, answers)
    except AnswerError as err:
        raise UsageError(f"{args.answers}: {err}") from None
    except ValueError as err:  # the key's
        raise UsageError(f"{args.key}: {err}") from None
    print(report)
    return 0 if not report.wrong else 1


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a text file") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise UsageError(f"{path}: not JSON ({str(err).splitlines()[0]})") from None
