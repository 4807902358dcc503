"""The command line, run as a subprocess like a user would."""

import json
import subprocess
import sys

import pandas as pd


def _run(*args):
    return subprocess.run([sys.executable, "-m", "ecosystem.cli", *args],
                          capture_output=True, text=True, timeout=300)


def test_demo_writes_table_and_manifest(tmp_path):
    out = tmp_path / "demo"
    res = _run("demo", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "JPN" in res.stdout and "Akbaritabar" in res.stdout
    table = pd.read_csv(out / "talent_indicators.csv")
    assert {"region", "inbound", "outbound", "D", "R", "circulation"} <= set(table.columns)
    assert table.set_index("region").loc["USA", "inbound"] == 114_831
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["licence"] == "CC BY 4.0" and manifest["window"] == [2014, 2018]


def test_usage_errors_exit_2():
    assert _run().returncode == 2
    assert _run("demo", "--window", "2014").returncode == 2
    assert _run("nonsense").returncode == 2
