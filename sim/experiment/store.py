"""The results store: a folder per run, files written atomically, a manifest that tells the truth.

The manifest is written first with status ``running`` and rewritten at the
end with ``complete``, ``failed`` or ``interrupted``. Every file appears
under its final name only once it is whole (written beside it, then
renamed), so a reader never sees half a table, and a folder whose
manifest does not say ``complete`` never passes for a finished run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.scenario.errors import ScenarioError

MANIFEST = "manifest.json"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


OUTPUTS = {
    MANIFEST: "a run's or a sweep's results",
    "verify.csv": "the results of coalsim verify",
    "breakeven.csv": "the results of coalsim breakeven",
    "compare.csv": "a comparison",
    "discovery.csv": "a scenario discovery",
    "optimise.json": "an optimisation (continue it with --resume)",
}
"""The file that marks each kind of output folder."""


def check_out(out: Path, own: str | None = None) -> None:
    """``--out`` must be a folder, or nothing yet, and hold no output of coalsim's.

    ``own``: the marker file of the command's own output (``verify.csv`` for verify).
    An earlier output of the same command may be written again, as it always writes
    the same files and so is replaced whole; a run's or a sweep's folder never is, and
    no output is written into another kind's folder.
    """
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    for marker, what in OUTPUTS.items():
        if marker != own and (out / marker).exists():
            raise ScenarioError(
                f"--out {out}: already holds {what} ({marker}); choose another folder"
            )
    try:
        held = sorted(p.name for p in out.iterdir() if p.name != ".lock") if out.is_dir() else []
    except OSError as e:
        raise ScenarioError(f"--out {out}: cannot read the folder ({e.strerror})") from None
    if held and not (own is not None and own in held):
        shown = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        raise ScenarioError(
            f"--out {out}: not empty ({shown}) and not a coalsim output folder; give an "
            "empty or new folder, so that no file of yours is written over"
        )


def safe_name(name: str) -> str:
    """``name`` as one folder name that stays where it is put: the characters a scenario's
    name may hold (letters, digits, spaces, ``_ . - #``; anything else becomes ``_``), no
    leading dot, at most 120 characters. Names come from files and manifests a user may
    not have written."""
    cleaned = re.sub(r"[^A-Za-z0-9_.\- #]", "_", name).lstrip(".")[:120]
    return cleaned or "unnamed"


def new_run_dir(root: Path, name: str) -> Path:
    """A fresh folder ``root/<safe name>/<UTC timestamp>[-k]`` that did not exist before."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / safe_name(name)
    base.mkdir(parents=True, exist_ok=True)
    for k in range(1, 10_000):
        candidate = base / (stamp if k == 1 else f"{stamp}-{k}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot find a free run folder under {base}")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write beside ``path`` under a name of this writer's own, then rename; a write that
    fails (a full disk) leaves ``path`` as it was and no temporary file behind."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(name, 0o644)  # as open() would have made it; mkstemp makes it private
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    write_atomic(path, frame.to_csv(index=False, float_format="%.10g", lineterminator="\n"))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    return data


def git_commit() -> str | None:
    """The source checkout's commit, when the package runs from one."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _compiled(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.origin is not None and not spec.origin.endswith(".py")


def model_compiled() -> bool:
    """Whether the model runs compiled (``make fast``): its results are the same, and
    a reader comparing timings needs to know."""
    return _compiled("sim.model.model")


def kernel_compiled() -> bool:
    """Whether SimPy's event loop runs compiled (``make fast``, fast/simpy_kernel.py)."""
    return _compiled("simpy.core")


def base_manifest(**fields: Any) -> dict[str, Any]:
    return {
        "status": "running",
        "package_version": __version__,
        "model_compiled": model_compiled(),
        "kernel_compiled": kernel_compiled(),
        "git_commit": git_commit(),
        "started_at": now_iso(),
        "finished_at": None,
        **fields,
    }
