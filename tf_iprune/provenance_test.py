"""Tests for provenance."""
import subprocess

import tf_iprune
from tf_iprune import provenance


def _git(root, *args):
  return subprocess.run(("git", "-C", str(root), "-c", "user.name=t",
                         "-c", "user.email=t@example.com") + args,
                        check=True, capture_output=True,
                        text=True).stdout.strip()


def test_outside_a_checkout_only_the_version(tmp_path):
  assert provenance.code_version(str(tmp_path)) == (
      "tf_iprune %s" % tf_iprune.__version__)


def test_a_subfolder_of_a_checkout_is_not_the_checkout(tmp_path):
  _git(tmp_path, "init", "-q")
  (tmp_path / "site").mkdir()
  assert provenance.code_version(str(tmp_path / "site")) == (
      "tf_iprune %s" % tf_iprune.__version__)


def test_a_checkout_names_its_commit_and_uncommitted_changes(tmp_path):
  _git(tmp_path, "init", "-q")
  (tmp_path / "a.py").write_text("x = 1\n")
  (tmp_path / "README.md").write_text("prose\n")
  (tmp_path / "benchmarks").mkdir()
  (tmp_path / "benchmarks" / "results.json").write_text("{}\n")
  _git(tmp_path, "add", "a.py", "README.md", "benchmarks")
  _git(tmp_path, "commit", "-q", "-m", "a")
  commit = _git(tmp_path, "rev-parse", "--short=7", "HEAD")
  version = "tf_iprune %s, commit %s" % (tf_iprune.__version__, commit)
  assert provenance.code_version(str(tmp_path)) == version
  (tmp_path / "untracked.txt").write_text("not code\n")
  (tmp_path / "README.md").write_text("more prose\n")
  (tmp_path / "benchmarks" / "results.json").write_text("{\"a\": 1}\n")
  assert provenance.code_version(str(tmp_path)) == version
  (tmp_path / "a.py").write_text("x = 2\n")
  assert provenance.code_version(str(tmp_path)) == (
      version + ", uncommitted changes")


def test_software_stack_names_each_distribution():
  stack = provenance.software_stack()
  assert stack.split(", ")[0].startswith("tensorflow 2.")
  assert [part.rsplit(" ", 1)[0] for part in stack.split(", ")] == list(
      provenance.STACK)


def test_cpu_model(tmp_path):
  cpuinfo = tmp_path / "cpuinfo"
  cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n")
  assert provenance.cpu_model(str(cpuinfo)) == "AMD EPYC 7B13"
  assert provenance.cpu_model(str(tmp_path / "none")) == "unknown CPU"
