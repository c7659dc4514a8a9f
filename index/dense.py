"""Dense retrieval: sentence-transformers embeddings in a FAISS inner-product index."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

HNSW_ABOVE = 100_000  # exact search up to this many vectors, HNSW above
HUB_TIMEOUT_SECONDS = 3.0
CHINESE_PROBE = "质量发展"
FAISS_FILE = "dense.faiss"
NO_CHINESE = "off: model has no Chinese vocabulary"
_TRUE = {"1", "true", "yes", "on"}


def load_embedder(model_name: str) -> tuple[SentenceTransformer | None, str]:
    """(model, its name) or (None, "off: <reason>"); fails within seconds when the model is not on this machine.

    model_name is a local directory or a hub id. The hub is tried only when the model is not in the local
    cache, HF_HUB_OFFLINE is not set, and the hub answers a connection within a few seconds.
    """
    directory = Path(model_name).expanduser()
    if directory.is_dir():
        return _checked(_load(str(directory), local_files_only=True), model_name)
    if directory.is_absolute() or model_name.startswith((".", "~")):
        return None, f"off: no model directory {model_name}"
    if _in_local_cache(model_name):
        model, status = _checked(_load(model_name, local_files_only=True), model_name)
        if model is not None or status == NO_CHINESE:
            return model, status
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE:
        return None, f"off: {model_name} is not in the local model cache and HF_HUB_OFFLINE=1"
    unreachable = _hub_unreachable()
    if unreachable:
        return None, f"off: {model_name} is not in the local model cache and the model hub is unreachable ({unreachable})"
    with _short_hub_timeouts():
        return _checked(_load(model_name, local_files_only=False), model_name)


def encode(model: SentenceTransformer, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
    """Unit-length float32 embeddings (one row per text), with the model's query/document prompts if it has any."""
    method = getattr(model, "encode_query" if query else "encode_document", model.encode)
    vectors = method(list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vectors, dtype=np.float32)


@dataclass(frozen=True)
class DenseIndex:
    """A FAISS index over normalised chunk embeddings: inner product = cosine; row i is chunk i."""

    faiss_index: Any

    @classmethod
    def build(cls, texts: Sequence[str], model: SentenceTransformer) -> DenseIndex:
        """Embed the texts and index them exactly (IndexFlatIP), or with HNSW above HNSW_ABOVE vectors."""
        return cls.from_vectors(encode(model, texts))

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> DenseIndex:
        """Index unit-length vectors (row i is chunk i) exactly, or with HNSW above HNSW_ABOVE vectors."""
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) > HNSW_ABOVE:
            index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    @property
    def size(self) -> int:
        return int(self.faiss_index.ntotal)

    def search(
        self, query: str, model: SentenceTransformer, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk number, cosine similarity), best first, among the allowed chunks."""
        faiss = _faiss()
        params = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            if not len(ids):
                return []
            selector = faiss.IDSelectorBatch(ids)
            hnsw = isinstance(self.faiss_index, faiss.IndexHNSW)
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(64, k)) if hnsw else faiss.SearchParameters(sel=selector)
            k = min(k, len(ids))
        k = min(k, self.size)
        if k <= 0:
            return []
        scores, ids = self.faiss_index.search(encode(model, [query], query=True), k, params=params)
        return [(int(number), float(score)) for number, score in zip(ids[0], scores[0]) if number >= 0]

    def save(self, folder: Path) -> None:
        _faiss().write_index(self.faiss_index, str(Path(folder) / FAISS_FILE))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        path = Path(folder) / FAISS_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        return cls(_faiss().read_index(str(path)))


def _load(name: str, local_files_only: bool) -> tuple[Any, str]:
    """(model, "") or (None, "off: <reason>")."""
    try:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    except ImportError:
        return None, "off: sentence-transformers is not installed (pip install sentence-transformers)"
    try:
        return SentenceTransformer(name, device="cpu", local_files_only=local_files_only), ""
    except Exception as error:  # noqa: BLE001  (any failure to load a model means: no dense channel)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return None, f"off: cannot load {name}: {type(error).__name__}: {first_line[:160]}"


def _checked(loaded: tuple[Any, str], model_name: str) -> tuple[Any, str]:
    model, status = loaded
    if model is None:
        return None, status
    if not _has_chinese_vocabulary(model):
        return None, NO_CHINESE
    return model, model_name


def _has_chinese_vocabulary(model: Any) -> bool:
    """False when the model's tokenizer turns Chinese text into unknown tokens only."""
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None:
        return True  # cannot tell; let it through
    if hasattr(tokenizer, "convert_tokens_to_ids"):  # a transformers tokenizer
        ids = tokenizer(CHINESE_PROBE, add_special_tokens=False)["input_ids"]
        unknown = tokenizer.unk_token_id
    else:  # a tokenizers.Tokenizer (StaticEmbedding)
        ids = tokenizer.encode(CHINESE_PROBE, add_special_tokens=False).ids
        unk_token = getattr(tokenizer.model, "unk_token", None)
        unknown = tokenizer.token_to_id(unk_token) if unk_token else None
    return any(token_id != unknown for token_id in ids)


def _in_local_cache(model_name: str) -> bool:
    """Whether the hub cache holds the model (checked without importing torch or sentence-transformers)."""
    try:
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

        cache = os.environ.get("SENTENCE_TRANSFORMERS_HOME")
        return any(
            isinstance(try_to_load_from_cache(model_name, name, cache_dir=cache), str)
            for name in ("modules.json", "config.json")
        )
    except Exception:  # noqa: BLE001  (not installed, or not a valid repository id)
        return False


def _hub_unreachable(timeout: float = HUB_TIMEOUT_SECONDS) -> str:
    """"" when a TCP connection to the hub endpoint opens within the timeout, else why not (DNS included)."""
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return ""  # a proxy decides; the short hub timeouts still apply
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    address = (endpoint.hostname or "huggingface.co", endpoint.port or (80 if endpoint.scheme == "http" else 443))
    outcome: list[str] = []

    def connect() -> None:
        try:
            socket.create_connection(address, timeout=timeout).close()
            outcome.append("")
        except OSError as error:
            outcome.append(f"{address[0]}: {error.strerror or error}")

    worker = threading.Thread(target=connect, daemon=True)  # getaddrinfo itself has no timeout
    worker.start()
    worker.join(timeout + 0.5)
    return outcome[0] if outcome else f"{address[0]}: no answer in {timeout:.0f} s"


@contextlib.contextmanager
def _short_hub_timeouts(seconds: float = HUB_TIMEOUT_SECONDS) -> Iterator[None]:
    """Lower huggingface_hub's metadata and download timeouts for one call, then restore them."""
    try:
        from huggingface_hub import constants  # noqa: PLC0415
    except ImportError:
        yield
        return
    saved = constants.HF_HUB_ETAG_TIMEOUT, constants.HF_HUB_DOWNLOAD_TIMEOUT
    constants.HF_HUB_ETAG_TIMEOUT, constants.HF_HUB_DOWNLOAD_TIMEOUT = seconds, max(seconds, 10.0)
    try:
        yield
    finally:
        constants.HF_HUB_ETAG_TIMEOUT, constants.HF_HUB_DOWNLOAD_TIMEOUT = saved


def _faiss() -> Any:
    try:
        import faiss  # noqa: PLC0415
    except ImportError as error:
        raise ImportError("dense retrieval needs FAISS: pip install faiss-cpu") from error
    return faiss
