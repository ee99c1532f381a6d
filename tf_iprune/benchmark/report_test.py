"""Tests for report: the benchmark's tables."""
import pytest

from tf_iprune.benchmark import report
from tf_iprune.benchmark import testing

POWERS = ("continuous", "8mW", "4mW")


def test_speedups_and_reductions_are_ratios_of_measurements():
  results = testing.results()
  assert report.speedup(results, "har_cnn", "4mW", "unpruned") == (
      pytest.approx(2.0))
  assert report.speedup(results, "har_cnn", "4mW", "energy") == (
      pytest.approx(1.25))
  assert report.speedup(results, "toy", "4mW", "magnitude") is None
  assert report.output_reduction(results, "har_cnn") == pytest.approx(
      1 - 500 / 800)


def test_checks_say_what_is_met_and_what_is_missed():
  text = report.checks(testing.results(), epsilon=1.0)
  har, toy = text.splitlines()
  assert "within 1 points" in har
  assert "2.00x over Unpruned (meets >=1.7x)" in har
  assert "1.25x over ePrune (energy) (meets >=1.1x)" in har
  assert "NOT within 1 points" in toy
  assert "MISSES >=1.7x" in toy and "MISSES >=1.1x" in toy


def test_markdown_has_the_tables_the_command_and_the_paper():
  text = report.markdown(testing.results(), "python scripts/benchmark.py",
                         "2026-11-22 00:00 UTC", "a machine", POWERS, 1.0,
                         ["benchmarks/latency.png"])
  assert "`python scripts/benchmark.py`" in text
  assert "2026-11-22 00:00 UTC (a machine)" in text
  assert "| har_cnn | iPrune | 89.50% | 89.50% | 2.0 | 2 | 0.5 | 2 | " \
         "92.7% / 9 / 108 / 44 |" in text
  assert "2.00x / 1.25x / 1.90x" in text
  assert "UCI HAPT recordings (real)" in text
  assert "![benchmarks/latency.png](benchmarks/latency.png)" in text
  assert "fewer accelerator outputs than ePrune on average" in text
  # 0.6 + 0.15 of iPrune's 1.0 s in accelerator layers, 0.25 in the pool.
  assert "| har_cnn | iPrune | 0.750 | 0.250 | 25% |" in text


def test_summary_text_lists_every_method_and_power():
  text = report.summary_text(testing.results(), POWERS)
  assert "iPrune" in text and "ePrune (energy)" in text
  assert "latency 4mW" in text
  assert "iPrune speed-up over Unpruned: continuous 2.00x, 8mW 2.00x, " \
         "4mW 2.00x" in text
