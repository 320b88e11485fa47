"""A sentence-transformers model run by ONNX Runtime: the same vectors with far less overhead per call.

torch spends about 15 ms of Python and dispatch on every call, which is most of the cost of one
question or a few dozen short sentences; ONNX Runtime runs the same graph in 4 to 5 ms. Batches of
long chunks run at the same speed either way. The model is exported once (torch.export and torch.onnx,
needs the `onnx` and `onnxscript` packages) into a cache folder keyed by its weights, and optionally quantised to int8.
Only models made of a transformer and mean or CLS pooling are exported; others stay on torch.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
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
EXPORT_VERSION = 2  # bump when the exported graph changes, so old cached exports are not reused


class OnnxEncoder(TokenEncoder):
    """Unit vectors of texts (and of sentences in them) from an exported copy of a sentence-transformers model."""

    micro_batch = MICRO_BATCH

    def __init__(self, model: SentenceTransformer, int8: bool, cache_dir: Path, weights_key: str = "") -> None:
        import onnxruntime
        import torch

        why = unsupported(model)
        if why:
            raise ConfigError(f"RAG_EMBED_BACKEND: this model cannot run on ONNX Runtime ({why}); set RAG_EMBED_BACKEND=torch.")
        super().__init__(model)
        path = exported(model, self._tokenizer, int8, cache_dir, weights_key)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()  # as many as torch would use (OMP_NUM_THREADS)
        options.inter_op_num_threads = 1
        try:
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged cached file (disk full, edited by hand): export it again, once
            log.warning("The cached model %s is unreadable; exporting it again", path)
            path.unlink(missing_ok=True)
            path = exported(model, self._tokenizer, int8, cache_dir, weights_key)
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]

    def _hidden(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        return self._session.run(None, {name: feed[name] for name in self._inputs})[0]


def exported(model: SentenceTransformer, tokenizer, int8: bool, cache_dir: Path, weights_key: str = "") -> Path:
    """The cached ONNX file of this model's weights, exported (and quantised) on first use.

    The file is keyed by a hash of the weights, or by weights_key when the caller already knows what names
    them (a converted model's folder): hashing reads every weight, which for a large model's memory-mapped
    file keeps it all resident.
    """
    import onnxruntime
    import torch

    key = hashlib.sha256(weights_key.encode())
    for name, tensor in model[0].auto_model.state_dict().items() if not weights_key else ():
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
            atexit.register(shutil.rmtree, target.parent, ignore_errors=True)
            log.warning("Cannot write to %s; exporting to %s (set RAG_MODEL_CACHE to keep it)", cache_dir, target)
            _export(model, tokenizer, int8, target)
    return target


def _export(model: SentenceTransformer, tokenizer, int8: bool, target: Path) -> None:
    """Write the file under a temporary name first, so a crash or a concurrent export never leaves half a model."""
    try:
        import onnx  # noqa: F401  torch.onnx needs both to translate and write the graph
        import onnxscript  # noqa: F401
    except ImportError:
        raise ConfigError(
            "RAG_EMBED_BACKEND=onnx needs the onnx and onnxscript packages: pip install onnx onnxscript (or set RAG_EMBED_BACKEND=torch)."
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        plain = Path(tmp) / "plain.onnx"
        _onnx_program(model, tokenizer).save(str(plain), external_data=False)
        if int8:
            plain = _int8(plain, Path(tmp))
        os.replace(plain, target)


def _onnx_program(model: SentenceTransformer, tokenizer):
    """The transformer's last hidden state as an ONNX program (torch.export), with batch and token axes left free."""
    import torch

    sample = tokenizer(["An example sentence to trace.", "Another."], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    # one Dim per axis shared by all inputs, so the graph knows they agree; the encoder never feeds more
    # than max_seq_length tokens, and saying so meets the bound of the model's position table
    axes = {0: torch.export.Dim("batch"), 1: torch.export.Dim("tokens", max=int(model.max_seq_length))}
    hidden = _hidden(model[0].auto_model, names)
    with _without_exporter_noise():
        program = torch.export.export(hidden, tuple(sample[n] for n in names), dynamic_shapes={"inputs": (axes,) * len(names)})
        onnx_program = torch.onnx.export(program, input_names=names, output_names=["hidden"], dynamo=True, verbose=False)
    shape = onnx_program.model.graph.inputs[0].shape
    onnx_program.rename_axes({shape[0]: "batch", shape[1]: "tokens"})
    return onnx_program


@contextlib.contextmanager
def _without_exporter_noise() -> Iterator[None]:
    """Drop the two messages torch 2.13's exporter gives on every export that say nothing about this model."""
    registration = logging.getLogger("torch.onnx._internal.exporter._registration")
    # it looks up torchvision's detection ops (nms, roi_align) for every export; a text encoder has none
    registration.addFilter(_not_about_torchvision)
    try:
        with warnings.catch_warnings():
            # torch's run_decompositions deep-copies its own leaf treespec (pytree.treespec_leaf), a LeafSpec it deprecated
            warnings.filterwarnings("ignore", r"`isinstance\(treespec, LeafSpec\)` is deprecated", FutureWarning)
            yield
    finally:
        registration.removeFilter(_not_about_torchvision)


def _not_about_torchvision(record: logging.LogRecord) -> bool:
    """False for the exporter's note that torchvision is missing, a logging filter's way to drop it."""
    return not record.getMessage().startswith("torchvision is not installed")


def _int8(plain: Path, folder: Path) -> Path:
    """The graph with int8 weights (dynamic quantisation), after the pre-processing the quantiser asks for."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    ready, quantised = folder / "ready.onnx", folder / "int8.onnx"
    # symbolic shape inference cannot tell the position-table slice spans the token axis, gives up, and leaves a
    # 90 MB debug copy in the working folder; dynamic quantisation needs no shapes (same int8 vectors without it)
    quant_pre_process(str(plain), str(ready), skip_symbolic_shape=True)
    quantize_dynamic(str(ready), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
    return quantised


def _hidden(transformer, names: list[str]):
    """A copy of the transformer as a module of positional inputs returning its last hidden state, for torch.export.

    The copy computes attention as matmul and softmax ('eager'): the exporter spells sdpa with an extra reshape
    and two transposes per layer that ONNX Runtime cannot fuse (int8, measured: 46 texts/s against 55).
    """
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = copy.deepcopy(transformer)
            self.transformer.set_attn_implementation("eager")

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs))).last_hidden_state

    return Hidden().eval()


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/rag-reports/onnx, ~/.cache/rag-reports/onnx without it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-reports" / "onnx"
