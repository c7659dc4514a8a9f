"""Dense retrieval: sentence-transformers embeddings in a FAISS inner-product index."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HNSW_ABOVE = 100_000  # exact search below this many vectors, HNSW above
_HUB = ("huggingface.co", 443)


def load_embedder(model_name: str) -> tuple[object | None, str]:
    """(model, status): the loaded SentenceTransformer and its name, or (None, "off: <reason>") within seconds."""
    is_local = Path(model_name).exists()
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    if not is_local and not _cached(model_name) and (offline or not _hub_reachable()):
        return None, f"off: {model_name} is not on this machine and the model hub cannot be reached"
    try:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    except ImportError:
        return None, "off: sentence-transformers is not installed (pip install sentence-transformers)"
    try:
        model = SentenceTransformer(model_name, device="cpu", local_files_only=True)
    except (OSError, ValueError, RuntimeError) as local_error:
        if is_local or offline:
            return None, f"off: {model_name} is not on this machine and the model hub cannot be reached ({type(local_error).__name__})"
        try:
            model = SentenceTransformer(model_name, device="cpu")
        except (OSError, ValueError, RuntimeError) as error:
            return None, f"off: cannot load {model_name}: {type(error).__name__}: {str(error)[:120]}"
    if not _reads_chinese(model):
        return None, f"off: {model_name} has no Chinese vocabulary (Chinese text maps to unknown tokens)"
    return model, model_name


def embed(model, texts: list[str]) -> np.ndarray:
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vectors, dtype=np.float32)


@dataclass
class DenseIndex:
    """A FAISS index over normalized chunk embeddings (inner product = cosine)."""

    faiss_index: object

    @classmethod
    def build(cls, texts: list[str], model) -> "DenseIndex":
        import faiss  # noqa: PLC0415

        vectors = embed(model, texts)
        if len(vectors) > HNSW_ABOVE:
            index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    def search(self, query: str, model, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk number, cosine) among the allowed chunks."""
        import faiss  # noqa: PLC0415

        vector = embed(model, [query])
        params = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            if not len(ids):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        k = min(k, self.faiss_index.ntotal)
        scores, ids = self.faiss_index.search(vector, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def save(self, folder: Path) -> None:
        import faiss  # noqa: PLC0415

        faiss.write_index(self.faiss_index, str(folder / "dense.faiss"))

    @classmethod
    def load(cls, folder: Path) -> "DenseIndex":
        import faiss  # noqa: PLC0415

        return cls(faiss.read_index(str(folder / "dense.faiss")))


def _cached(model_name: str) -> bool:
    """Whether the hub's local cache holds the model (checked without importing torch)."""
    try:
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415
    except ImportError:
        return False
    return isinstance(try_to_load_from_cache(model_name, "modules.json"), str) or isinstance(
        try_to_load_from_cache(model_name, "config.json"), str
    )


def _hub_reachable() -> bool:
    try:
        with socket.create_connection(_HUB, timeout=2):
            return True
    except OSError:
        return False


def _reads_chinese(model) -> bool:
    first, second = embed(model, ["质量发展纲要", "牵头单位配合"])
    return not np.allclose(first, second, atol=1e-6)
