"""report.json: what was exported, what it costs, how accurate it is.

All cost numbers come from `tf_iprune.hardware.profile.profile_model` on the
EXPORTED model: its specs, tile plans and the non-zero map of its quantised
weight blocks (`QLayer.nonzero`), i.e. what the runtime will execute and
count. Nothing here re-derives a cost.
"""
from tf_iprune.export import quantize
from tf_iprune.hardware import profile as profile_lib

BYTES_PER_WORD = profile_lib.BYTES_PER_WORD


def quantised_kernels(qmodel):
  """{layer name: int kernel} rebuilt from the exported weight blocks."""
  return {l.name: quantize.kernel_from_blocks(l.grid, l.blocks)
          for l in qmodel.layers if l.spec.prunable}


def layer_bytes(layer):
  """Bytes of a layer's weights, bias and BSR indices in the model image."""
  if not layer.spec.prunable:
    return 0
  grid = layer.grid
  if layer.is_bsr:
    return profile_lib.bsr_bytes(grid, layer.nonzero)
  blocks = grid.n_groups * grid.n_cols
  return (blocks * grid.weights_per_block + layer.spec.out_channels) * (
      BYTES_PER_WORD)


def _scale(qmodel, layer):
  scale = {
      "inputs": [qmodel.tensors[n].exponent for n in layer.spec.inputs],
      "output": qmodel.tensors[layer.name].exponent,
  }
  if layer.spec.prunable:
    scale.update(weights=layer.weight_exponent, shift=qmodel.shift(layer))
  return scale


def build(qmodel, saturated, extra=None):
  """The report as a dict (JSON-ready, deterministic).

  Args:
    qmodel: The exported QModel.
    saturated: {layer name or 'input': saturated values on calibration}.
    extra: Top-level entries to add (calibration, accuracy, settings...).

  Returns:
    {'model', 'target', 'layers': [...], 'total': {...}, **extra}.
  """
  plans = {l.name: l.plan for l in qmodel.layers}
  prof = profile_lib.profile_model(
      [l.spec for l in qmodel.layers], quantised_kernels(qmodel),
      target=qmodel.target, plans=plans)
  layers = []
  for layer, row in zip(qmodel.layers, prof["layers"]):
    spec = layer.spec
    entry = dict(row)
    entry.update(
        type=spec.kind,
        inputs=list(spec.inputs),
        input_shapes=[list(s) for s in spec.input_shapes],
        kernel=list(spec.kernel), strides=list(spec.strides),
        pads=list(spec.pads),
        T_m=layer.plan.tile_m, T_n=layer.plan.tile_n,
        storage=("none" if not spec.prunable else
                 "bsr" if layer.is_bsr else "dense"),
        nnz_blocks=row["nonzero_blocks"],
        bytes=layer_bytes(layer),
        scale=_scale(qmodel, layer),
        saturated=int(saturated.get(layer.name, 0)),
    )
    layers.append(entry)
  total = dict(prof["total"])
  total.update(bytes=sum(l["bytes"] for l in layers),
               saturated=int(sum(saturated.values())))
  report = {
      "model": qmodel.name,
      "target": qmodel.target.name,
      "input": {"shape": list(qmodel.input.shape),
                "exponent": qmodel.input.exponent,
                "saturated": int(saturated.get("input", 0))},
      "output": {"shape": list(qmodel.output.shape),
                 "exponent": qmodel.output.exponent},
      "layers": layers,
      "total": total,
  }
  report.update(extra or {})
  return report
