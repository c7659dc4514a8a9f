"""The app's temporary files: one folder of ours, a subfolder per export or report, each removed soon after use."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

# Gradio copies a returned file into its own cache as the request ends; ours is not read after that.
KEEP_SECONDS = 120
KINDS = ("matrix", "eval")


def scratch_root() -> Path:
    """$PQA_TMP, else <system temp>/pqa-app: everything the app writes that is not the index."""
    return Path(os.environ.get("PQA_TMP") or Path(tempfile.gettempdir()) / "pqa-app")


def gradio_cache() -> Path:
    """Where Gradio keeps uploads and the files it serves (its GRADIO_TEMP_DIR), inside our folder."""
    return scratch_root() / "gradio"


def new_folder(kind: str) -> Path:
    """A fresh subfolder for one export or report; those older than KEEP_SECONDS are removed first."""
    root = scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    remove_used(KEEP_SECONDS)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=root))


def remove_used(older_than: float = 0) -> list[Path]:
    """Delete our subfolders last changed more than older_than seconds ago; the ones removed."""
    removed = []
    now = time.time()
    try:
        entries = list(scratch_root().iterdir())
    except OSError:
        return []
    for path in entries:
        if not path.name.startswith(tuple(f"{kind}-" for kind in KINDS)) or not path.is_dir() or path.is_symlink():
            continue
        try:
            age = now - path.stat().st_mtime
        except OSError:
            continue
        if age >= older_than:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
