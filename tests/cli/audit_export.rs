//! `pim audit export`: Graph directoryAudit-like records in CSV, JSON and JSON Lines, with the
//! log's sequence numbers and hashes; CSV cells a spreadsheet would run are neutralised.

use serde_json::Value;

use crate::common::Pim;

/// A lab where pimuser activated Security Reader with a justification a spreadsheet would
/// take for a formula, and was refused once.
fn lab() -> (Pim, String, String) {
    lab_on(Pim::new())
}

fn lab_on(mut pim: Pim) -> (Pim, String, String) {
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    let code = pim.code("pimuser", 1);
    pim.run_as(
        Some(&user),
        &[
            "activate",
            "Security Reader",
            "--for",
            "9h",
            "--reason",
            "x",
        ],
    )
    .fails(3, "ExpirationRule");
    pim.run_as(
        Some(&user),
        &[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "=HYPERLINK(\"http://evil\",\"click\"), \"quoted\"",
            "--otp",
            &code,
        ],
    )
    .ok();
    (pim, admin, user)
}

#[test]
fn csv_is_rfc_4180_and_safe_in_a_spreadsheet() {
    let (pim, admin, _) = lab();
    let run = pim
        .run_as(Some(&admin), &["audit", "export", "--format", "csv"])
        .ok();
    assert!(run.stdout.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        &header[..5],
        [
            "sequence",
            "activityDateTime",
            "realDateTime",
            "activityDisplayName",
            "result"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, pim.audit_count());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let activation = rows
        .iter()
        .find(|r| &r[col("activityDisplayName")] == "Add member to role completed (PIM activation)")
        .unwrap();
    assert_eq!(
        &activation[col("justification")],
        "'=HYPERLINK(\"http://evil\",\"click\"), \"quoted\"",
        "the formula is neutralised, the quotes and comma survive"
    );
    let refused = rows
        .iter()
        .find(|r| &r[col("result")] == "failure")
        .unwrap();
    assert!(refused[col("resultReason")].starts_with("ExpirationRule:"));
    // No cell anywhere starts a formula.
    for r in &rows {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
    // Sequence and hash are the log's own.
    let (seq, hash): (i64, String) = pim
        .tables()
        .conn()
        .one(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            pim_console::args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let last = rows.last().unwrap();
    assert_eq!(
        (&last[col("sequence")], &last[col("hash")]),
        (seq.to_string().as_str(), hash.as_str())
    );
}

#[test]
fn json_and_json_lines_read_as_graph_directory_audits() {
    let (pim, admin, user) = lab();
    let doc = pim
        .run_as(Some(&admin), &["audit", "export", "--format", "json"])
        .ok()
        .json();
    let all = doc["value"].as_array().unwrap();
    assert_eq!(all.len() as i64, pim.audit_count());
    let seqs: Vec<i64> = all
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] + 1 == w[1]),
        "oldest first, no gaps"
    );
    let activation = all
        .iter()
        .find(|e| e["activityDisplayName"] == "Add member to role completed (PIM activation)")
        .unwrap();
    for field in [
        "id",
        "activityDateTime",
        "initiatedBy",
        "targetResources",
        "result",
        "resultReason",
        "hash",
        "previousHash",
    ] {
        assert!(activation.get(field).is_some(), "{field}: {activation}");
    }
    assert_eq!(activation["category"], "RoleManagement");
    assert_eq!(activation["loggedByService"], "PIM");
    assert_eq!(
        activation["initiatedBy"]["user"]["userPrincipalName"],
        user.as_str()
    );
    assert_eq!(
        activation["targetResources"][0]["displayName"],
        "Security Reader"
    );

    // JSON Lines, with the filters of `pim audit`.
    let run = pim
        .run_as(
            Some(&admin),
            &["audit", "export", "--format", "jsonl", "--failures"],
        )
        .ok();
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|e| e["result"] == "failure"));
    let run = pim
        .run_as(
            Some(&admin),
            &[
                "audit",
                "export",
                "--format",
                "jsonl",
                "--role",
                "Security Reader",
                "--activity",
                "PIM activation",
            ],
        )
        .ok();
    assert!(
        run.stdout
            .lines()
            .all(|l| l.contains("Security Reader") && l.contains("PIM activation"))
    );

    // An account without an audit reader role (pimuser's Security Reader is one) exports
    // its own entries only.
    pim.login("approver").ok();
    let approver = pim.upn("approver");
    let run = pim
        .run_as(Some(&approver), &["audit", "export", "--format", "jsonl"])
        .ok();
    assert!(run.stdout.lines().count() >= 2, "{}", run.stdout);
    for l in run.stdout.lines() {
        assert!(l.contains(&approver), "{l}");
    }
}

#[test]
fn an_export_to_a_file_is_private_and_never_the_database() {
    let (pim, admin, _) = lab_on(Pim::sqlite());
    let out = pim.dir.path().join("audit.csv");
    let run = pim
        .run_as(
            Some(&admin),
            &["audit", "export", "-o", out.to_str().unwrap()],
        )
        .ok();
    assert!(run.stdout.contains("Exported"), "{}", run.stdout);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("sequence,activityDateTime"),
        "the format from the name"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let before = pim.contents();
    for target in [pim.db.clone(), pim.dir.path().join("lab.db.key")] {
        pim.run_as(
            Some(&admin),
            &[
                "audit",
                "export",
                "--format",
                "csv",
                "-o",
                target.to_str().unwrap(),
            ],
        )
        .fails(2, "the database's own file");
    }
    assert_eq!(pim.contents(), before);
    pim.run_as(Some(&admin), &["audit", "export"])
        .fails(2, "give --format");
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(pim.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}
