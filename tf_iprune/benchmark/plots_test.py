"""Tests for plots: PNG files, written deterministically."""
import os

from tf_iprune.benchmark import plots
from tf_iprune.benchmark import testing


def test_plots_are_pngs_and_deterministic(tmp_path):
  results = testing.results()
  powers = ("continuous", "8mW", "4mW")
  names = plots.write_all(results, powers, str(tmp_path / "a"))
  plots.write_all(results, powers, str(tmp_path / "b"))
  assert sorted(names) == sorted(os.listdir(tmp_path / "a"))
  assert "paths.png" in names
  for r in results["models"].values():
    for m in r.values():
      if isinstance(m, dict):
        m.pop("path", None)
  assert "paths.png" not in plots.write_all(results, powers,
                                            str(tmp_path / "c"))
  for name in names:
    data = (tmp_path / "a" / name).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    assert data == (tmp_path / "b" / name).read_bytes()
