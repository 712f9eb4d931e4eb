"""Maps CustosError to a one-line message on stderr and a stable exit code, once for all commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn

from rich.console import Console
from rich.markup import escape

from custos.errors import CustosError, ValidationError

INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE from sysexits.h

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def report(error: CustosError) -> NoReturn:
    # Reason codes and messages are escaped: "[code]" would otherwise read as Rich markup.
    stderr.print(f"[bold red]error[/] {escape(f'[{error.reason}]')} {escape(error.message)}")
    if isinstance(error, ValidationError) and len(error.problems) > 1:
        for problem in error.problems:
            stderr.print(f"  - {problem}", markup=False)
    sys.exit(error.exit_code)


def run_guarded(entry: Callable[[], object]) -> None:
    """Run the CLI; turn known errors into exit codes and unknown ones into a short message.

    A traceback is only shown with CUSTOS_DEBUG=1: users get a sentence, not a stack.
    """
    try:
        entry()
    except CustosError as error:
        report(error)
    except KeyboardInterrupt:
        stderr.print("interrupted / 已中断")
        sys.exit(130)
    except Exception as error:
        if os.environ.get("CUSTOS_DEBUG") == "1":
            raise
        stderr.print(
            f"[bold red]internal error[/] {type(error).__name__}; "
            "run again with CUSTOS_DEBUG=1 for details / 内部错误，设置 CUSTOS_DEBUG=1 查看详情",
            markup=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)
