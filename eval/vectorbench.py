"""`python -m eval bench --vector-stores faiss,milvus`: the two backends side by side on a synthetic library.

    python -m eval bench --vector-stores faiss,milvus [--documents 4000] [--questions N] [--json] [--keep DIR]

The library is the one `eval/synthetic.py` writes (document i is seed i mod 5 moved to another place); its chunks are
made by moving the seed documents' chunks the same way (not parsed again: 4,000 documents are ~106k chunks, 100k
clauses). They are embedded once with `index.testmodel` (not semantic: the vectors are real, the ranking means
nothing), saved as the index saves them (one .npy per document), and their tokens counted once as the lexical index
counts them. Each backend is measured in a child process of its own: building it (FAISS from the saved vectors; the
Milvus collection from the vectors, the token counts and the documents' facts), opening it again as the next process
would, memory, and per question (the synthetic questions, each asked over the whole library and over one document) the
time to embed it and search, at k = 10 and at the depth the assistant asks for (k + chunks − clauses, so that k
distinct clauses are among the hits), BM25 at that depth (the local counts, or the collection's BM25 function), Milvus's
hybrid search as the assistant asks it (each request's top 30 chunks, BM25 sent twice), and how often the top 10 are as good as an exact search (by score: the library is full of
near-duplicates).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.retrieval import CANDIDATES, WEIGHTS
from eval.scale import PROJECT, Latency, _latency
from eval.synthetic import _moved, _seeds, questions

K = 10
STORES = ("faiss", "milvus")


@dataclass(frozen=True)
class StoreFigures:
    """One vector store's figures over one library."""

    store: str
    kind: str  # the index inside the store (IndexFlatIP, IndexHNSWFlat, FLAT)
    build_s: float  # from the saved vectors to a searchable store, in a new process
    reopen_s: float  # opening the built store again in another new process (FAISS rebuilds in memory)
    store_rss_mb: float  # resident memory the built store added to its process
    peak_rss_mb: float  # the child process's peak
    disk_mb: float  # what the store keeps on disk beside the saved vectors (Milvus's file)
    top10_ms: Latency  # embed the question and search, k = 10, whole library
    top10_one_document_ms: Latency
    depth_ms: Latency  # at the assistant's depth, whole library
    depth_one_document_ms: Latency
    exact_top10: float  # share of questions whose top 10 scores are exact search's (numpy; near-duplicates tie), whole library
    bm25_ms: Latency  # BM25 at the assistant's depth, the question's tokens given, whole library
    bm25_one_document_ms: Latency
    hybrid_ms: Latency | None  # Milvus's hybrid search as the assistant asks it, whole library; None for FAISS
    remote_open_s: float | None = None  # Milvus: a new process opening the index from the collection alone (index.remote)
    remote_rss_mb: float | None = None  # what that opening added to the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval bench --vector-stores", description=__doc__.splitlines()[0])
    parser.add_argument("--vector-stores", default="faiss,milvus", help="stores to compare, comma-separated")
    parser.add_argument("--documents", type=int, default=4000, help="library size in documents (25 clauses each)")
    parser.add_argument("--questions", type=int, default=0, metavar="N",
                        help="ask at most N of the synthetic questions, spread over the set (0: all; Milvus Lite at 100k chunks takes seconds a question)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--keep", type=Path, default=None, help="keep the vectors and stores here (reused when present)")
    parser.add_argument("--measure", nargs=2, metavar=("STORE", "FOLDER"), help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(asdict(measure_store(args.measure[0], Path(args.measure[1])))))
        return 0
    stores = [name.strip() for name in args.vector_stores.split(",") if name.strip()]
    unknown = [name for name in stores if name not in STORES]
    if unknown:
        print(f"error: 未知的向量库 {'、'.join(unknown)}:可选 {'、'.join(STORES)}", file=sys.stderr)
        return 2
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pqa-vector-bench-"))
    library = prepare(folder, args.documents, args.questions)
    figures = [_in_child(store, folder) for store in stores]
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), **library, "stores": [asdict(f) for f in figures]}, ensure_ascii=False))
    else:
        print(report(library, figures))
    return 0


def prepare(folder: Path, documents: int, most: int = 0) -> dict:
    """Chunks, their embeddings (one .npy per document under folder/vectors) and the questions (at most `most`, spread
    over the set, when it is not 0); what was made."""
    from index.chunking import chunk_clauses  # noqa: PLC0415
    from index.testmodel import build_test_model  # noqa: PLC0415

    summary_file = folder / "library.json"
    if summary_file.is_file() and json.loads(summary_file.read_text(encoding="utf-8"))["documents"] == documents:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        return _asked(folder, summary, [item.text for item in questions(documents)], most)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [document for _path, document in _seeds()]
    seed_chunks = [chunk_clauses([document]) for document in seeds]
    model_dir = build_test_model([clause.text for document in seeds for clause in document.clauses], folder / "pqa-test-static-zh")
    model = _model(model_dir)
    (folder / "vectors").mkdir(exist_ok=True)
    _count_tokens(folder, seed_chunks, documents)
    started, parts, chunks, clauses = time.perf_counter(), [], 0, 0
    for number in range(documents):
        seed = number % len(seeds)
        texts = [_moved(chunk.text, number) for chunk in seed_chunks[seed]]
        vectors = _encode(model, texts)
        name = f"vectors/synthetic-{number:05d}.npy"
        np.save(folder / name, vectors, allow_pickle=False)
        parts.append({"doc_id": f"synthetic-{number:05d}", "vectors": name, "start": chunks, "chunks": len(texts)})
        chunks, clauses = chunks + len(texts), clauses + len(seeds[seed].clauses)
    summary = {"documents": documents, "chunks": chunks, "clauses": clauses, "dimensions": int(vectors.shape[1]),
               "embed_s": round(time.perf_counter() - started, 1),
               "count_tokens_s": json.loads((folder / "lexical" / "took.json").read_text())}  # fmt: skip
    (folder / "parts.json").write_text(json.dumps(parts), encoding="utf-8")
    summary_file.write_text(json.dumps(summary), encoding="utf-8")
    return _asked(folder, summary, [item.text for item in questions(documents)], most)


def _asked(folder: Path, summary: dict, asked: list[str], most: int) -> dict:
    """Save the questions to ask (every one, or `most` spread evenly over them); the summary with their number."""
    if 0 < most < len(asked):
        asked = [asked[number * len(asked) // most] for number in range(most)]
    (folder / "questions.json").write_text(json.dumps(asked, ensure_ascii=False), encoding="utf-8")
    return {**summary, "questions": len(asked)}


def open_store(store: str, folder: Path) -> tuple[Any, Any, Any]:
    """(the store searching the vectors, the Milvus collection or None, the lexical index) of a prepared library."""
    from index.lexical import LexicalIndex  # noqa: PLC0415
    from index.vectorstore import Part, open_vector_store  # noqa: PLC0415

    from index.milvus_state import Version  # noqa: PLC0415

    parts = [Part(**part) for part in json.loads((folder / "parts.json").read_text(encoding="utf-8"))]
    lexical = LexicalIndex.load(folder / "lexical")
    version = Version(0, "pqa-test-static-zh", lexical.scheme, lexical.user_words)
    vectors, collection, _used = open_vector_store(store, folder, parts, lambda: _contents(len(parts), lexical), version=version)
    return vectors, collection, lexical


def measure_store(store: str, folder: Path) -> StoreFigures:
    """Build one backend and time its searches (run in a child process of its own)."""
    shutil.rmtree(folder / "milvus", ignore_errors=True)  # built from nothing, like a first open
    parts = json.loads((folder / "parts.json").read_text(encoding="utf-8"))
    asked = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "library.json").read_text(encoding="utf-8"))
    model = _model(folder / "pqa-test-static-zh")
    _encode(model, asked[:2])  # the model's first call is not a question's cost
    before = _rss_mb()
    started = time.perf_counter()
    vectors, collection, lexical = open_store(store, folder)
    build_s = time.perf_counter() - started
    store_rss = _rss_mb() - before
    everything = np.concatenate([np.load(folder / part["vectors"]) for part in parts])
    depth = K + summary["chunks"] - summary["clauses"]
    times: dict[str, list[float]] = {name: [] for name in ("top10", "top10_one", "depth", "depth_one", "bm25", "bm25_one", "hybrid")}
    same = 0
    for number, question in enumerate(asked):
        part = parts[number * 7919 % len(parts)]
        one = np.zeros(summary["chunks"], bool)
        one[part["start"] : part["start"] + part["chunks"]] = True
        tokens = lexical.query_tokens(question)
        for key, allowed in (("bm25", None), ("bm25_one", one)):
            started = time.perf_counter()
            _bm25(lexical, collection, tokens, depth, allowed)
            times[key].append((time.perf_counter() - started) * 1000)
        if collection is not None:
            started = time.perf_counter()
            collection.search_hybrid(tokens, question, model, CANDIDATES, None, round(WEIGHTS["lexical"] / WEIGHTS["dense"]))
            times["hybrid"].append((time.perf_counter() - started) * 1000)
        for key, k, allowed in (("top10", K, None), ("top10_one", K, one), ("depth", depth, None), ("depth_one", depth, one)):
            started = time.perf_counter()
            found = vectors.search(question, model, k, allowed)
            times[key].append((time.perf_counter() - started) * 1000)
            if key == "top10":
                best = np.sort(everything @ _encode(model, [question])[0])[::-1][:K]
                same += len(found) == K and np.allclose([score for _, score in found], best, atol=1e-4)
    if collection is not None:  # Milvus Lite lets one process at a time open its file: let the next ones open it
        from milvus_lite.server_manager import server_manager_instance  # noqa: PLC0415

        collection.client.close()
        server_manager_instance.release_server(collection.uri)
    reopen_s = _reopen_seconds(store, folder)
    remote = _remote_open(folder) if store == "milvus" else (None, None)
    return StoreFigures(
        store=store,
        kind=type(getattr(vectors, "faiss_index", None) or vectors).__name__ if store == "faiss" else "FLAT",
        build_s=round(build_s, 2),
        reopen_s=round(reopen_s, 2),
        store_rss_mb=round(store_rss),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        disk_mb=round(sum(path.stat().st_size for path in (folder / "milvus").rglob("*") if path.is_file()) / 2**20, 1)
        if store == "milvus" else 0.0,  # fmt: skip
        top10_ms=_latency(times["top10"]),
        top10_one_document_ms=_latency(times["top10_one"]),
        depth_ms=_latency(times["depth"]),
        depth_one_document_ms=_latency(times["depth_one"]),
        exact_top10=round(same / len(asked), 3),
        bm25_ms=_latency(times["bm25"]),
        bm25_one_document_ms=_latency(times["bm25_one"]),
        hybrid_ms=_latency(times["hybrid"]) if times["hybrid"] else None,
        remote_open_s=remote[0],
        remote_rss_mb=remote[1],
    )


def report(library: dict, figures: list[StoreFigures]) -> str:
    """The stores side by side."""
    depth = K + library["chunks"] - library["clauses"]
    rows = [
        ("index inside", lambda f: f.kind),
        ("build (Milvus: vectors, BM25, facts)", lambda f: f"{f.build_s:.1f} s"),
        ("open again (new process)", lambda f: f"{f.reopen_s:.1f} s"),
        ("memory of the store / peak RSS", lambda f: f"{f.store_rss_mb:.0f} / {f.peak_rss_mb:.0f} MB"),
        ("open with nothing local (new process): time / memory",
         lambda f: f"{f.remote_open_s:.1f} s / {f.remote_rss_mb:.0f} MB" if f.remote_open_s is not None else "—"),
        ("on disk beside the vectors", lambda f: f"{f.disk_mb:.0f} MB"),
        ("top 10, whole library p50 / p95", lambda f: f"{f.top10_ms.p50:.1f} / {f.top10_ms.p95:.1f} ms"),
        ("top 10, one document p50 / p95", lambda f: f"{f.top10_one_document_ms.p50:.1f} / {f.top10_one_document_ms.p95:.1f} ms"),
        (f"depth {depth}, whole library p50 / p95", lambda f: f"{f.depth_ms.p50:.1f} / {f.depth_ms.p95:.1f} ms"),
        (f"depth {depth}, one document p50 / p95", lambda f: f"{f.depth_one_document_ms.p50:.1f} / {f.depth_one_document_ms.p95:.1f} ms"),
        ("top 10 as good as exact search", lambda f: f"{f.exact_top10:.3f}"),
        (f"BM25 depth {depth}, whole library p50 / p95", lambda f: f"{f.bm25_ms.p50:.1f} / {f.bm25_ms.p95:.1f} ms"),
        (f"BM25 depth {depth}, one document p50 / p95", lambda f: f"{f.bm25_one_document_ms.p50:.1f} / {f.bm25_one_document_ms.p95:.1f} ms"),
        (f"hybrid, top {CANDIDATES} per request, whole library p50 / p95", lambda f: f"{f.hybrid_ms.p50:.1f} / {f.hybrid_ms.p95:.1f} ms" if f.hybrid_ms else "—"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [
        f"{library['documents']} documents, {library['clauses']} clauses, {library['chunks']} chunks, "
        f"{library['dimensions']} dimensions (index.testmodel: not semantic); {library['questions']} questions; "
        f"{os.cpu_count()} CPUs; tokens counted once for both in {library['count_tokens_s']:.0f} s",
        f"{'':{width}}" + "".join(f"{f.store:>24}" for f in figures),
    ]
    lines += [f"{label:{width}}" + "".join(f"{value(f):>24}" for f in figures) for label, value in rows]
    return "\n".join(lines)


def _in_child(store: str, folder: Path) -> StoreFigures:
    print(f"bench: {store} in {folder}", file=sys.stderr, flush=True)
    result = subprocess.run([sys.executable, "-m", "eval.vectorbench", "--measure", store, str(folder)], cwd=PROJECT,
                            capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{store}: {result.stderr[-800:]}")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    latencies = {name: Latency(**value) for name, value in record.items() if name.endswith("_ms") and value}
    return StoreFigures(**{**record, **latencies})


def _reopen_seconds(store: str, folder: Path) -> float:
    """Seconds for a new process to open the built store from the saved vectors (its imports excluded)."""
    code = (
        "import sys, time\nfrom pathlib import Path\nimport faiss, pymilvus\n"
        "from eval.vectorbench import open_store\n"
        "started = time.perf_counter(); _vectors, collection, _lexical = open_store(sys.argv[1], Path(sys.argv[2]))\n"
        "assert (collection is None) == (sys.argv[1] == 'faiss'), 'Milvus did not open'\n"
        "print(time.perf_counter() - started)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, store, str(folder)], cwd=PROJECT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-800:])
    return float(result.stdout.strip().splitlines()[-1])


def _remote_open(folder: Path) -> tuple[float, float]:
    """(seconds, MB) for a new process to open the index from the collection alone: documents, chunks and token counts
    read from Milvus (index.remote), as a second app server does (its imports and jieba's dictionary excluded)."""
    code = (
        "import sys, time\nimport jieba, pymilvus\njieba.initialize()\n"
        "from index.milvus import lite_uri\nfrom index.remote import open_collection\nfrom eval.vectorbench import _rss_mb\n"
        "before = _rss_mb(); started = time.perf_counter()\n"
        "open_collection(lite_uri(sys.argv[1]), None, 'off', 'off')\n"
        "print(time.perf_counter() - started, _rss_mb() - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=PROJECT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-800:])
    seconds, megabytes = result.stdout.strip().splitlines()[-1].split()
    return round(float(seconds), 2), round(float(megabytes))


def _count_tokens(folder: Path, seed_chunks: list, documents: int) -> None:
    """Count every chunk's tokens as the index does (folder/lexical), once for both backends."""
    from index.lexical import LexicalIndex  # noqa: PLC0415

    started = time.perf_counter()
    texts = [_moved(chunk.text, number) for number in range(documents) for chunk in seed_chunks[number % len(seed_chunks)]]
    (folder / "lexical").mkdir(exist_ok=True)
    LexicalIndex.build([], ()).rebuilt([texts]).save(folder / "lexical")
    (folder / "lexical" / "took.json").write_text(json.dumps(round(time.perf_counter() - started, 1)))


def _contents(documents: int, lexical: Any) -> Any:
    """The collection's rows' contents: each synthetic document is its seed's record and chunks under its own id."""
    from index.chunking import chunk_clauses  # noqa: PLC0415
    from index.milvus import Contents  # noqa: PLC0415

    seeds = [document for _path, document in _seeds()]
    found, chunks = {}, []
    for number in range(documents):
        doc_id = f"synthetic-{number:05d}"
        seed = seeds[number % len(seeds)]
        clauses = tuple(replace(clause, doc_id=doc_id) for clause in seed.clauses)
        found[doc_id] = replace(seed, doc_id=doc_id, clauses=clauses)
        chunks.extend(chunk_clauses([found[doc_id]]))
    return Contents(found, chunks, lexical.counts)


def _bm25(lexical: Any, collection: Any, tokens: list[str], k: int, allowed: np.ndarray | None) -> list:
    """The top-k chunks by BM25: the collection's when there is one, else the local counts' (as CorpusIndex scores them)."""
    if collection is not None:
        return collection.search_lexical(tokens, k, allowed)
    scores = lexical.scores(tokens)
    if allowed is not None:
        scores = np.where(allowed, scores, np.float32(0.0))
    return np.argpartition(-scores, k)[:k].tolist() if k < len(scores) else np.argsort(-scores).tolist()


def _model(folder: Path):
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415

    return SentenceTransformer(str(folder), device="cpu")


def _encode(model, texts: list[str]) -> np.ndarray:
    from index.dense import encode  # noqa: PLC0415

    return encode(model, texts)


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    sys.exit(main())
