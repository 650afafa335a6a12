"""Data-quality warnings reach users: the curator's flags file beside a CSV, and an alias that
shadows a tier name."""

from __future__ import annotations

import json

from indexdesk.agent.cli import main
from indexdesk.tools.market.quality import flags_findings

FLAGS = """symbol,start_date,end_date,kind,note
SHIB,2020-07-31,2021-01-29,warning,"Thin early market; price jumps x35 on 2021-01-30."
BNB,2017-09-16,2017-10-29,removed,"early-history artifact"
*CoinGecko symbols*,2015-01-01,2018-01-29,info,re-dated snapshots
BTC,2020-03-12,2020-03-12,info,"snapshot differs from Binance"
"""


def test_flags_file_rows_become_findings_on_their_days():
    found = flags_findings(FLAGS)
    assert sorted(found) == ["BNB", "SHIB"]  # info rows and multi-symbol rows explain, they do not doubt
    shib = found["SHIB"][0]
    assert shib.touches("2020-12-01", "2021-06-30") and not shib.touches("2021-02-01", "2021-06-30")
    assert "flagged warning in data_quality_flags.csv" in shib.text


def test_perf_over_flagged_history_says_so(shared_data, capsys):
    source = f"csv:{shared_data / 'prices_daily.csv'}"
    assert main(["perf", "SHIB", "memecoins", "--window", "2020-09-01:2021-06-30", "--json", "--source", source]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any("SHIB prices 2020-07-31..2021-01-29 flagged warning" in w for w in warnings), warnings
    assert main(["perf", "SHIB", "--window", "2022-01-01:2022-12-31", "--json", "--source", source]) == 0
    assert not any("flagged" in w for w in json.loads(capsys.readouterr().out)["warnings"])


def test_an_alias_named_like_a_tier_is_pointed_out(capsys):
    assert main(["perf", "BTC", "ETH", "core", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert any("'core' is read as the index large_cap" in w for w in result["warnings"])
    assert main(["perf", "BTC", "large_cap", "--json"]) == 0
    assert not any("is read as the index" in w for w in json.loads(capsys.readouterr().out)["warnings"])
