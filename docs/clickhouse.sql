-- TLS-RPT rows from `mtasts report --ndjson` in ClickHouse (issue 12). One table for both
-- kinds of row: "policy" (one per report and policy: successful / failed sessions) and
-- "failure" (one per failure-details entry: failed sessions and what failed where).
--
-- Import, one line (clickhouse-client, or clickhouse-local / chDB the same way):
--   mtasts report --ndjson ~/tlsrpt/ | clickhouse-client --query 'INSERT INTO tlsrpt FORMAT JSONEachRow'
--
-- Totals, equal to `mtasts report --json`'s "successful", "failed" and "result_types":
--   SELECT sum(successful), sum(failed) FROM tlsrpt WHERE kind = 'policy';
--   SELECT result_type, sum(failed) FROM tlsrpt WHERE kind = 'failure' GROUP BY result_type;
-- Only reports whose email was signed by their reporter (RFC 8460 §3), after --dkim:
--   SELECT sum(successful), sum(failed) FROM tlsrpt WHERE kind = 'policy' AND dkim = 'pass';
-- Re-importing the same reports adds them again: dedupe on (organisation, report_id) with
-- a ReplacingMergeTree or by importing each report once (`mtasts report` already drops
-- duplicates within one run).
CREATE TABLE IF NOT EXISTS tlsrpt
(
    kind                   LowCardinality(String),
    organisation           LowCardinality(String),
    report_id              String,
    contact_info           Nullable(String),
    start                  Nullable(DateTime('UTC')),
    `end`                  Nullable(DateTime('UTC')),
    day                    Nullable(Date),
    policy_type            LowCardinality(String),
    policy_domain          LowCardinality(String),
    mx_host                Array(String),
    successful             UInt64,
    failed                 UInt64,
    result_type            LowCardinality(String),
    sending_mta_ip         Nullable(String),
    receiving_mx_hostname  Nullable(String),
    receiving_mx_helo      Nullable(String),
    receiving_ip           Nullable(String),
    failure_reason_code    Nullable(String),
    additional_information Nullable(String),
    origin                 String,
    -- With `mtasts report --ndjson --dkim`: the DKIM verdict of the email the report came in
    -- (pass, fail, none, temperror, permerror) and the signing domain; NULL otherwise.
    dkim                   LowCardinality(Nullable(String)),
    dkim_domain            Nullable(String)
)
ENGINE = MergeTree
ORDER BY (kind, policy_domain, organisation, report_id)
SETTINGS allow_nullable_key = 0;
