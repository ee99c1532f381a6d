"""Tests of report.json: costs from the hardware model on exported blocks."""
import json

from tf_iprune.export import report
from tf_iprune.export import testing
from tf_iprune.hardware import criterion
from tf_iprune.hardware import profile


def test_costs_come_from_the_exported_block_structure():
  qmodel = testing.random_qmodel(testing.example_specs("all"), seed=2,
                                 density=0.5,
                                 overrides={"conv1": (4, 2), "pw": (5, 5),
                                            "fc1": (3, 3)})
  saturated = {l.name: 0 for l in qmodel.layers}
  saturated.update(input=3, add=2)
  result = report.build(qmodel, saturated, extra={"plan": "auto"})
  assert [l["name"] for l in result["layers"]] == [
      l.name for l in qmodel.layers]
  for layer, row in zip(qmodel.layers, result["layers"]):
    assert row["type"] == layer.spec.kind
    assert row["T_m"] == layer.plan.tile_m and row["T_n"] == layer.plan.tile_n
    assert row["acc_outputs"] == criterion.accelerator_outputs(
        layer.spec, layer.plan, layer.nonzero if layer.spec.prunable else None)
    if layer.spec.prunable:
      assert row["nnz_blocks"] == int(layer.nonzero.sum())
      assert row["bsr_bytes"] == profile.bsr_bytes(layer.grid, layer.nonzero)
      assert row["storage"] == ("bsr" if layer.is_bsr else "dense")
      if layer.is_bsr:
        assert row["bytes"] == row["bsr_bytes"]
      assert row["scale"]["shift"] == qmodel.shift(layer)
    else:
      assert row["storage"] == "none" and row["bytes"] == 0
  assert any(r["storage"] == "bsr" for r in result["layers"])
  total = result["total"]
  assert total["acc_outputs"] == sum(r["acc_outputs"]
                                     for r in result["layers"])
  assert total["saturated"] == 5 and result["input"]["saturated"] == 3
  for key in ("acc_outputs", "bsr_bytes", "macs"):
    assert key in total
  assert result["plan"] == "auto"
  json.dumps(result)  # JSON-ready.
