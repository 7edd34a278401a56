"""Imports `mtasts report --ndjson` output into ClickHouse's engine (chDB, from PyPI,
installed by .ci/setup) with docs/clickhouse.sql and the documented one-line import
(INSERT ... FORMAT JSONEachRow), and prints what the engine's own sum() says, as JSON:

    python3 tests/clickhouse/sums.py docs/clickhouse.sql rows.ndjson
"""
import json
import sys

from chdb import session as chs

schema, rows = sys.argv[1], sys.argv[2]
s = chs.Session()
s.query("CREATE DATABASE IF NOT EXISTS t")
s.query("USE t")
s.query(open(schema).read())
data = open(rows).read()
s.query("INSERT INTO tlsrpt FORMAT JSONEachRow " + data)


def one(q):
    return str(s.query(q, "CSV")).strip()


out = {
    "rows": int(one("SELECT count() FROM tlsrpt")),
    "successful": int(one("SELECT sum(successful) FROM tlsrpt WHERE kind = 'policy'")),
    "failed": int(one("SELECT sum(failed) FROM tlsrpt WHERE kind = 'policy'")),
    # Rows from `--dkim`: the sessions of reports their reporter signed.
    "signed_successful": int(one("SELECT sum(successful) FROM tlsrpt WHERE kind = 'policy' AND dkim = 'pass'")),
    "result_types": {
        line.split(",")[0].strip('"'): int(line.split(",")[1])
        for line in one("SELECT result_type, sum(failed) FROM tlsrpt WHERE kind = 'failure' GROUP BY result_type ORDER BY result_type").splitlines()
        if line
    },
}
print(json.dumps(out))
