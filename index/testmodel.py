"""A small embedding model built here from the corpus text, to exercise and measure the dense path; not semantic.

No pretrained Chinese model can be downloaded on these machines. This one is a sentence-transformers
`StaticEmbedding`: a BPE tokenizer trained on the given texts (`tokenizers`) and, per token, a random vector
(fixed seed) scaled by how rare the token is, mean-pooled. Texts sharing rare tokens come out close, so it
behaves like a weighted bag of sub-words: it lets FAISS and Milvus be built, searched and compared on real
clauses, but it knows no synonyms and adds nothing a lexical index does not already have.

    python -m index.testmodel [--out models/pqa-test-static-zh] [CORPUS_DIR …]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
TEST_MODEL_PREFIX = "pqa-test-"  # a model folder so named is a test model (the app's header says so)
DEFAULT_FOLDER = PROJECT / "models" / "pqa-test-static-zh"
DEFAULT_CORPORA = tuple(PROJECT / "corpus" / name for name in ("documents", "dev", "extra"))
VOCABULARY = 8000
DIMENSIONS = 64
SEED = 20240612
_SPECIAL = ["[PAD]", "[UNK]"]


def is_test_model(name: str) -> bool:
    """Whether a model name (a folder) is one of these test models."""
    return Path(name.rstrip("/")).name.startswith(TEST_MODEL_PREFIX)


def build_test_model(texts: Sequence[str], folder: Path = DEFAULT_FOLDER) -> Path:
    """Train the tokenizer on `texts`, make the weights, save the model in `folder` (its name must start with
    TEST_MODEL_PREFIX); the same texts give the same model, byte for byte in its weights."""
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding  # noqa: PLC0415

    folder = Path(folder)
    if not is_test_model(folder.name):
        raise ValueError(f"{folder}: a test model's folder name must start with {TEST_MODEL_PREFIX}")
    tokenizer = _trained_tokenizer(texts)
    weights = _weights(tokenizer, texts)
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu")
    model.save(str(folder))
    (folder / "PQA_TEST_MODEL.json").write_text(json.dumps({
        "what": "a test/benchmark model: random token vectors weighted by rarity; not a semantic model",
        "texts": len(texts), "vocabulary": tokenizer.get_vocab_size(), "dimensions": DIMENSIONS, "seed": SEED,
    }, ensure_ascii=False, indent=1), encoding="utf-8")  # fmt: skip
    return folder


def corpus_texts(folders: Sequence[Path]) -> list[str]:
    """The clause texts of the documents in the folders, in a fixed order."""
    from corpus import load_documents  # noqa: PLC0415

    return [clause.text for folder in folders for document in load_documents(folder) for clause in document.clauses]


def _trained_tokenizer(texts: Sequence[str]):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers  # noqa: PLC0415

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    trainer = trainers.BpeTrainer(vocab_size=VOCABULARY, min_frequency=2, special_tokens=_SPECIAL, show_progress=False)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def _weights(tokenizer, texts: Sequence[str]) -> np.ndarray:
    """A random unit vector per token (seeded), scaled by its inverse document frequency over `texts`."""
    counts: Counter[int] = Counter()
    for encoding in tokenizer.encode_batch(list(texts), add_special_tokens=False):
        counts.update(set(encoding.ids))
    size = tokenizer.get_vocab_size()
    vectors = np.random.default_rng(SEED).standard_normal((size, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rarity = np.array([math.log((1 + len(texts)) / (1 + counts[token])) + 1 for token in range(size)], np.float32)
    rarity[[tokenizer.token_to_id(token) for token in _SPECIAL]] = 0.0
    return vectors * rarity[:, None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.testmodel", description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="folders of documents to train on (default: corpus/documents, dev, extra)")
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER, help=f"model folder (default: {DEFAULT_FOLDER})")
    args = parser.parse_args(argv)
    texts = corpus_texts(args.corpora or [folder for folder in DEFAULT_CORPORA if folder.is_dir()])
    folder = build_test_model(texts, args.out)
    print(f"测试模型(非语义模型)已保存: {folder}({len(texts)} 条款训练;用法 --embed-model {folder})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
