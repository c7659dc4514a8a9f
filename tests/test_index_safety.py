"""The index folder is ours or left alone: refusals, checksums, unwritable folders, leftovers of killed saves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import open_index
from index.folder import IndexFolderError, remove_leftovers, remove_orphans

PROJECT = Path(__file__).resolve().parent.parent
XUCHANG = "xuchang-2013-action-plan"
QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"


def run_cli(*args, cwd=PROJECT, env=None):
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(PROJECT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=180
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def saved(corpus_dir, tmp_path_factory) -> Path:
    """A freshly saved index of the seed documents, copied by the tests that damage it."""
    folder = tmp_path_factory.mktemp("saved") / "built"
    open_index(corpus_dir, folder, embed_model=None)
    return folder


def copy_of(saved: Path, tmp_path: Path) -> Path:
    target = tmp_path / "built"
    target.mkdir()
    for name, data in snapshot(saved).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    return target


# ---- 1. never delete what is not ours ----


def test_repro_build_into_a_folder_of_notes_refuses_and_keeps_them(tmp_path):
    # mkdir v; echo x > v/notes.txt; python -m assistant build --index v; ls v
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "notes.txt").write_text("x\n", encoding="utf-8")
    result = run_cli("build", "--index", "v", "--corpus", str(PROJECT / "corpus" / "documents"), "--embed-model", "off", cwd=tmp_path)
    assert result.returncode != 0
    assert "notes.txt" in result.stderr and "拒绝" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]  # no staging folder either
    assert snapshot(tmp_path / "v") == {"notes.txt": b"x\n"}


def test_an_existing_file_as_index_is_refused(corpus_dir, tmp_path):
    target = tmp_path / "index"
    target.write_text("my data", encoding="utf-8")
    with pytest.raises(IndexFolderError, match="不是索引目录"):
        open_index(corpus_dir, target, embed_model=None)
    assert target.read_text(encoding="utf-8") == "my data"


def test_a_foreign_manifest_is_not_ours(corpus_dir, tmp_path):
    target = tmp_path / "index"
    target.mkdir()
    (target / "manifest.json").write_text('{"name": "another tool"}', encoding="utf-8")
    with pytest.raises(IndexFolderError):
        open_index(corpus_dir, target, embed_model=None)
    assert snapshot(target) == {"manifest.json": b'{"name": "another tool"}'}


def test_a_file_dropped_into_our_index_is_kept_by_a_rebuild(corpus_dir, saved, tmp_path):
    target = copy_of(saved, tmp_path)
    (target / "manifest.json").write_text('{"corpus_hash": ', encoding="utf-8")  # damaged: a rebuild is due
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IndexFolderError, match="notes.txt"):  # no readable manifest: ours only if all is ours
        open_index(corpus_dir, target, embed_model=None)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    (target / "manifest.json").write_text(json.dumps(json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
                                                     | {"index_version": "older"}), encoding="utf-8")
    assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == "stale: index_version"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"  # our manifest: used, and its file kept


@pytest.mark.parametrize("where", ["equal", "inside"])
def test_index_equal_to_or_inside_the_corpus_is_refused(corpus_dir, tmp_path, where):
    corpus = tmp_path / "documents"
    corpus.mkdir()
    for path in corpus_dir.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    before = snapshot(corpus)
    index = corpus if where == "equal" else corpus / "idx"
    result = run_cli("build", "--corpus", str(corpus), "--index", str(index), "--embed-model", "off")
    assert result.returncode == 2 and "文档目录" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(corpus) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


def test_the_index_environment_variable_is_checked_the_same_way(tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "notes.txt").write_text("x", encoding="utf-8")
    result = run_cli("ask", "--json", QUESTION, env={"PQA_INDEX": str(tmp_path / "v"), "PQA_EMBED_MODEL": "off"})
    assert result.returncode == 2 and result.stdout == "" and "notes.txt" in result.stderr
    assert (tmp_path / "v" / "notes.txt").read_text(encoding="utf-8") == "x"


def test_an_empty_folder_is_used_and_a_manifestless_index_of_ours_is_rebuilt(corpus_dir, saved, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert open_index(corpus_dir, empty, embed_model=None).rebuilt_because == "no index yet"
    target = copy_of(saved, tmp_path)
    (target / "manifest.json").unlink()  # only our own files remain
    assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == "no manifest.json"


# ---- 2. checksums, unwritable folders, leftovers ----


def test_the_manifest_records_a_checksum_per_file(saved):
    manifest = json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["checksums"]) == set(manifest["files"]) == set(snapshot(saved)) - {"manifest.json", ".lock"}
    assert all(len(digest) == 32 for digest in manifest["checksums"].values())


@pytest.mark.parametrize("damage", ["zeroed tail of the counts", "flipped bits in a shard", "flipped bits in the vocabulary"])
def test_damage_that_keeps_sizes_is_caught_said_once_and_repaired(corpus_dir, saved, tmp_path, capsys, damage):
    target = copy_of(saved, tmp_path)
    if damage.endswith("counts"):
        path = target / "gen-000001" / "counts.npy"
    elif damage.endswith("shard"):
        path = next((target / "shards").glob(f"{XUCHANG}.*"))
    else:
        path = target / "gen-000001" / "vocab.json"
    data = bytearray(path.read_bytes())
    if damage.startswith("zeroed"):
        data[-2048:] = bytes(2048)
    else:
        for offset in range(len(data) - 2000, len(data), 97):
            data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    name = path.relative_to(target).as_posix()
    capsys.readouterr()
    index = open_index(corpus_dir, target, embed_model=None)
    err = capsys.readouterr().err
    assert index.rebuilt_because == f"damaged file {name} (checksum differs)"
    assert err.count("index: building") == 1 and name in err
    assert index.search_lexical("检验检测技术平台", 1, {XUCHANG})[0].clause_id == f"{XUCHANG}#21"
    assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_with_a_valid_index_answers(corpus_dir, saved, tmp_path):
    target = copy_of(saved, tmp_path)
    target.chmod(0o555)
    try:
        assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == ""
    finally:
        target.chmod(0o755)


def test_an_unwritable_folder_with_a_stale_index_answers_and_says_so(corpus_dir, saved, tmp_path, monkeypatch, capsys):
    """Root ignores permission bits, so the refusal is the one the operating system gives others (EACCES)."""
    corpus = tmp_path / "documents"
    corpus.mkdir()
    for path in corpus_dir.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    target = copy_of(saved, tmp_path)
    path, task = corpus / f"{XUCHANG}.txt", "19.开展计量惠民专项行动。"
    path.write_text(path.read_text(encoding="utf-8").replace(task, task + "开展火箭发射质量专项检查。"), encoding="utf-8")
    before = snapshot(target)  # stale now: the index must be updated, and its folder refuses writing
    opening = Path.open

    def refuse(self, mode="r", *args, **kwargs):
        if target in (self, *self.parents) and any(flag in mode for flag in "wax+"):
            raise PermissionError(13, "Permission denied", str(self))
        return opening(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    capsys.readouterr()
    index = open_index(corpus, target, embed_model=None)
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert index.rebuilt_because.endswith(f"not saved ({target} is not writable)")
    assert "无法写入" in err and "Permission denied" in err
    assert index.search_lexical("火箭发射", 1)[0].clause_id.startswith(XUCHANG)
    assert snapshot(target) == before  # nothing written, nothing removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "documents"]


def test_what_a_killed_writer_left_is_removed_on_the_next_open(corpus_dir, saved, tmp_path):
    target = copy_of(saved, tmp_path)
    (target / ".lock").touch()
    (target / "gen-000002").mkdir()  # a generation never switched in
    (target / "gen-000002" / "vocab.json").write_text("{}", encoding="utf-8")
    (target / "manifest.json.tmp").write_text("{", encoding="utf-8")
    (target / "shards" / "x.jsonl.tmp").write_text("{", encoding="utf-8")
    before = snapshot(saved)
    assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == ""
    assert snapshot(target) == before
    assert remove_leftovers(target, 1) == []


def test_leftovers_are_kept_while_a_writer_holds_the_folder(saved, tmp_path):
    import fcntl

    target = copy_of(saved, tmp_path)
    (target / "gen-000002").mkdir()
    with (target / ".lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert remove_leftovers(target, 1) == [] and (target / "gen-000002").is_dir()
    assert remove_leftovers(target, 1) == ["gen-000002"]


def test_orphans_of_the_earlier_layout_beside_the_index_are_removed(corpus_dir, saved, tmp_path):
    target = copy_of(saved, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    building = tmp_path / f".built.building-{pid}-a1b2c3d4"
    old = tmp_path / f".built.old-{pid}-e5f6g7h8"
    legacy = tmp_path / ".built.building-x9y8z7w6"  # named before temporary folders carried a pid
    for folder in (building, old / "index", legacy):
        folder.mkdir(parents=True)
        (folder / "chunks.json").write_text("[]", encoding="utf-8")
    os.utime(legacy, (0, 0))
    alive = tmp_path / f".built.building-{os.getpid()}-inflight"  # a save under way in a living process
    alive.mkdir()
    someone_elses = tmp_path / ".other.building-1-x"
    someone_elses.mkdir()
    assert open_index(corpus_dir, target, embed_model=None).rebuilt_because == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["built", alive.name, someone_elses.name])
    assert remove_orphans(target) == []


def test_a_writer_killed_midway_leaves_a_usable_index_on_the_next_open(corpus_dir, saved, tmp_path):
    corpus = tmp_path / "documents"
    corpus.mkdir()
    for path in corpus_dir.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / f"{XUCHANG}.txt").write_bytes((corpus / f"{XUCHANG}.txt").read_bytes() + "\n新增一行。\n".encode())
    target = copy_of(saved, tmp_path)
    script = (
        "import os\n"
        "from index import sync\n"
        "def die(*args, **kwargs): os._exit(9)\n"
        "sync.switch = die\n"
        "from index import open_index\n"
        f"open_index({str(corpus)!r}, {str(target)!r}, embed_model=None)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=180)
    assert killed.returncode == 9, killed.stderr
    assert (target / "gen-000002").is_dir()  # what the kill left
    index = open_index(corpus, target, embed_model=None)
    assert index.search_lexical("检验检测技术平台", 1, {XUCHANG})[0].clause_id == f"{XUCHANG}#21"
    assert not list(target.rglob("*.tmp"))
