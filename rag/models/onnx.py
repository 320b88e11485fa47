"""A sentence-transformers model run by ONNX Runtime: the same vectors with far less overhead per call.

torch spends about 15 ms of Python and dispatch on every call, which is most of the cost of one
question or a few dozen short sentences; ONNX Runtime runs the same graph in 4 to 5 ms. Batches of
long chunks run at the same speed either way. The model is exported once (torch.onnx, needs the
`onnx` package) into a cache folder keyed by its weights, and optionally quantised to int8.
Only models made of a transformer and mean or CLS pooling are exported; others stay on torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import ConfigError
from rag.models.tokenstates import TokenEncoder, unsupported

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
# ONNX Runtime runs a batch no faster per text past 8 texts on a CPU, and keeps the buffers of the
# largest batch it has seen: 8 texts of 256 tokens peak at 0.9 GB of RSS, 64 at 2.5 GB (measured, int8).
MICRO_BATCH = 8
EXPORT_VERSION = 1  # bump when the exported graph changes, so old cached exports are not reused


class OnnxEncoder(TokenEncoder):
    """Unit vectors of texts (and of sentences in them) from an exported copy of a sentence-transformers model."""

    micro_batch = MICRO_BATCH

    def __init__(self, model: SentenceTransformer, int8: bool, cache_dir: Path) -> None:
        import onnxruntime
        import torch

        why = unsupported(model)
        if why:
            raise ConfigError(f"RAG_EMBED_BACKEND: this model cannot run on ONNX Runtime ({why}); set RAG_EMBED_BACKEND=torch.")
        super().__init__(model)
        path = exported(model, self._tokenizer, int8, cache_dir)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()  # as many as torch would use (OMP_NUM_THREADS)
        options.inter_op_num_threads = 1
        try:
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged cached file (disk full, edited by hand): export it again, once
            log.warning("The cached model %s is unreadable; exporting it again", path)
            path.unlink(missing_ok=True)
            path = exported(model, self._tokenizer, int8, cache_dir)
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]

    def _hidden(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        return self._session.run(None, {name: feed[name] for name in self._inputs})[0]


def exported(model: SentenceTransformer, tokenizer, int8: bool, cache_dir: Path) -> Path:
    """The cached ONNX file of this model's weights, exported (and quantised) on first use."""
    import onnxruntime
    import torch

    key = hashlib.sha256()
    for name, tensor in model[0].auto_model.state_dict().items():
        key.update(name.encode())
        key.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    key.update(f"{EXPORT_VERSION} {torch.__version__} {onnxruntime.__version__} {'int8' if int8 else 'fp32'}".encode())
    target = cache_dir / key.hexdigest()[:24] / "model.onnx"
    if not target.exists():
        log.info("Exporting the embedding model to %s (once; about 10 seconds)", target)
        try:
            _export(model, tokenizer, int8, target)
        except OSError:  # a read-only or full cache (home) folder: export for this process's life only
            target = Path(tempfile.mkdtemp(prefix="rag-onnx-")) / "model.onnx"
            log.warning("Cannot write to %s; exporting to %s (set RAG_MODEL_CACHE to keep it)", cache_dir, target)
            _export(model, tokenizer, int8, target)
    return target


def _export(model: SentenceTransformer, tokenizer, int8: bool, target: Path) -> None:
    """Write the file under a temporary name first, so a crash or a concurrent export never leaves half a model."""
    import torch

    try:
        import onnx  # noqa: F401  torch.onnx needs it to write the file
    except ImportError:
        raise ConfigError("RAG_EMBED_BACKEND=onnx needs the onnx package: pip install onnx (or set RAG_EMBED_BACKEND=torch).") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    sample = tokenizer(["An example sentence to trace.", "Another."], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracing warns about data-dependent branches it records as constants
        plain = Path(tmp) / "plain.onnx"
        torch.onnx.export(
            _hidden(model[0].auto_model, names),
            tuple(sample[n] for n in names),
            str(plain),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]},
            opset_version=17,
            dynamo=False,
        )
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(plain), str(Path(tmp) / "int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
            plain = Path(tmp) / "int8.onnx"
        os.replace(plain, target)


def _hidden(transformer, names: list[str]):
    """The transformer as a module of positional inputs returning its last hidden state, for tracing."""
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs))).last_hidden_state

    return Hidden().eval()


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/rag-reports/onnx, ~/.cache/rag-reports/onnx without it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-reports" / "onnx"
