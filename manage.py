#!/usr/bin/env python3
"""The one entry point: keeps `.venv` in step with pyproject.toml, then runs what was asked.

    python3 manage.py up [ARGS]     Temporal dev server, worker and API together (Ctrl-C stops)
    python3 manage.py test [ARGS]   pytest, ARGS passed through
    python3 manage.py worker        the worker alone, against the configured Temporal
    python3 manage.py api           the API alone
    python3 manage.py register-search-attributes
                                    once per namespace: the search attributes, on the
                                    configured Temporal cluster
    python3 manage.py migrate       the configured database to the latest schema migration
    python3 manage.py create-user USER_ID --role ROLE --county CODE [--county CODE] [--token]
                                    an API user bound to counties (--token: issue one too)
    python3 manage.py create-token USER_ID
                                    a bearer token for the user, printed once
    python3 manage.py revoke-token PREFIX
                                    revoke a token by its public prefix
    python3 manage.py users         the users and their tokens' prefixes
    python3 manage.py rebuild-read-model
                                    the SQL read model written again from Temporal alone
    python3 manage.py demo [--cases N]
                                    fill the running stack with demo cases (Taiyuan)
    python3 manage.py maildrop [--all]
                                    what the embedded stack would have emailed and texted
    python3 manage.py lint          ruff check, ruff format --check, mypy

Standard library only: it has to run before any dependency is installed.
"""

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

# Checked before any function is defined, so that an older interpreter gets this message
# instead of a TypeError from an annotation it cannot evaluate.
if sys.version_info < (3, 11):  # noqa: UP036
    sys.exit(
        f"manage.py: Python 3.11 or newer is required, but {sys.executable} is "
        f"{sys.version_info[0]}.{sys.version_info[1]}; run this script with a newer python3."
    )

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / "bin"
VENV_PYTHON = VENV_BIN / "python"
PYPROJECT = ROOT / "pyproject.toml"
STAMP_PREFIX = ".installed-"
MYPY_TARGETS = [
    "workflows",
    "activities",
    "api",
    "domain",
    "core",
    "store",
    "ops",
    "devstack",
    "worker.py",
]


def say(message: str) -> None:
    print(f"manage.py: {message}", file=sys.stderr, flush=True)


def fail(message: str, code: int = 1) -> NoReturn:
    say(message)
    sys.exit(code)


def _create_venv() -> None:
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        fail(
            f"{sys.executable} cannot create virtual environments (its venv/ensurepip modules "
            "are missing). On Debian/Ubuntu install them with `sudo apt install python3-venv` "
            "(or python3.X-venv matching this Python), then rerun."
        )
    say("creating .venv")
    if subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
        # Only the half-made directory from this very attempt is removed; without it the next
        # run would take it for a usable environment.
        shutil.rmtree(VENV, ignore_errors=True)
        fail(
            "`python3 -m venv` failed (see above). On Debian/Ubuntu this usually means the "
            "python3-venv package is missing: `sudo apt install python3-venv`, then rerun."
        )


def _install(stamp: Path) -> None:
    say("installing the project and its dev dependencies into .venv (pip install -e '.[dev]')")
    say("the first install downloads a few hundred MB and can take several minutes")
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "-e", ".[dev]"]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        fail("pip install failed (see above); the next run will try again")
    for old in VENV.glob(f"{STAMP_PREFIX}*"):
        old.unlink()
    stamp.write_text("pip install -e '.[dev]' succeeded for this pyproject.toml\n")
    say("dependencies installed")


def ensure_venv() -> Path:
    created = False
    if not VENV.exists():
        _create_venv()
        created = True
    elif not VENV_PYTHON.exists():
        fail(f"{VENV} exists but has no bin/python; delete it and rerun to recreate it")
    digest = hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()
    stamp = VENV / f"{STAMP_PREFIX}{digest}"
    if created or not stamp.exists():
        _install(stamp)
    return VENV_PYTHON


def _venv_environment() -> dict[str, str]:
    env = dict(os.environ)
    # As if activated, so that anything the child starts by name (temporal, ruff) is ours.
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", os.defpath)])
    env.pop("PYTHONHOME", None)
    return env


def exec_in_venv(args: list[str]) -> NoReturn:
    python = ensure_venv()
    # Settings read `.env` and `var/` relative to the working directory.
    os.chdir(ROOT)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec rather than a child: signals and the exit status then belong to the real process.
    os.execve(python, [str(python), *args], _venv_environment())


def lint() -> int:
    python = str(ensure_venv())
    steps = [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", *MYPY_TARGETS],
    ]
    failed: list[str] = []
    for step in steps:
        say(f"running {' '.join(step)}")
        result = subprocess.run([python, "-m", *step], cwd=ROOT, env=_venv_environment())
        if result.returncode != 0:
            failed.append(" ".join(step[:2]) if step[0] == "ruff" else step[0])
    if failed:
        say(f"lint failed: {', '.join(failed)}")
        return 1
    say("lint passed")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "up":
        exec_in_venv(["-m", "devstack", *rest])
    if command == "test":
        exec_in_venv(["-m", "pytest", *rest])
    if command in {"worker", "api"}:
        if rest:
            fail(f"`{command}` takes no arguments; configure it through the environment or .env")
        exec_in_venv(["-m", "devstack", command])
    if command == "migrate":
        if rest:
            fail("`migrate` takes no arguments; configure it through the environment or .env")
        exec_in_venv(["-m", "store.db"])
    if command == "register-search-attributes":
        if rest:
            fail(f"`{command}` takes no arguments; configure it through the environment or .env")
        exec_in_venv(["-m", "core.temporal", command])
    if command in {"create-user", "create-token", "revoke-token", "users"}:
        exec_in_venv(["-m", "ops.users_cli", command, *rest])
    if command == "rebuild-read-model":
        if rest:
            fail(f"`{command}` takes no arguments; configure it through the environment or .env")
        exec_in_venv(["-m", "ops.rebuild"])
    if command == "demo":
        exec_in_venv(["-m", "devstack.demo", *rest])
    if command == "maildrop":
        exec_in_venv(["-m", "devstack.maildrop", *rest])
    if command == "lint":
        if rest:
            fail("`lint` takes no arguments")
        return lint()
    fail(f"unknown command {command!r}; run `python3 manage.py --help`", code=2)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        fail("interrupted", code=130)
