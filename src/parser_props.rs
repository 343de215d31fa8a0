//! Property tests: no parser panics on arbitrary input (durations, times, switches, PHC
//! strings, key files, anchors, checkpoints, free text), and what pim writes parses back to
//! what it wrote (`otpauth://` URIs through totp-rs's own parser, anchors, checkpoints).

use proptest::prelude::*;

use crate::audit::anchor::{Anchor, Checkpoint};
use crate::auth::password::bounded;
use crate::auth::seal::SealKey;
use crate::auth::totp::{check_code, code_at, generate_secret, otpauth_uri};
use crate::cli::args::{parse_delta, parse_switch, parse_time};
use crate::policy::duration::parse_duration;
use crate::policy::text::{check_display_name, check_free_text, check_upn, sanitize};

/// Arbitrary text, with the characters that break naive parsers well represented.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9PTpthmsdwHMSDW:+\\-. ]{0,40}",
        "pimcp1:[0-9a-f]{0,10}:[0-9]{0,22}:[0-9a-f]{0,40}:[0-9TZ]{0,20}",
        "\\$argon2(id|i|d)?\\$v=[0-9]{0,3}\\$m=[0-9]{0,12},t=[0-9]{0,12},p=[0-9]{0,5}\\$[A-Za-z0-9+/]{0,30}\\$[A-Za-z0-9+/]{0,50}",
        "[\\x00-\\x1f\\x7f\u{80}-\u{9f}\u{200b}\u{202a}-\u{202e}\u{2066}-\u{2069}a-z]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn duration_and_time_parsers_never_panic(s in hostile()) {
        if let Ok(d) = parse_duration(&s) {
            prop_assert!(d.num_seconds() > 0);
            prop_assert!(d.num_days() <= crate::policy::duration::MAX_DAYS);
        }
        let _ = parse_delta(&s);
        if let Ok(t) = parse_time(&s) {
            prop_assert!(t.timestamp() >= 0);
        }
        let _ = parse_switch(&s);
    }

    #[test]
    fn stored_hash_and_key_parsers_never_panic(s in hostile()) {
        if let Ok(h) = bounded(&s) {
            prop_assert_eq!(h.algorithm.as_str(), "argon2id");
        }
        let _ = SealKey::from_file_text(&s);
        let _ = Anchor::from_text(&s);
        let _ = Checkpoint::parse(&s);
    }

    #[test]
    fn text_checks_never_panic_and_sanitised_text_is_inert(s in hostile()) {
        let _ = check_free_text("justification", &s, 500);
        let _ = check_display_name(&s);
        let _ = check_upn(&s, "pimlab.onmicrosoft.com");
        let shown = sanitize(&s);
        prop_assert!(!shown.chars().any(crate::policy::text::is_unsafe_to_show));
    }

    #[test]
    fn codes_of_any_shape_are_checked_without_panicking(code in hostile(), t in any::<i64>()) {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let _ = check_code(secret, &code, t, None);
        let _ = check_code(&code, "123456", t, Some(u64::MAX));
        let _ = code_at(&code, t);
    }

    #[test]
    fn enrolment_uris_parse_back_in_an_authenticators_parser(local in "[a-z0-9._'+-]{1,40}") {
        let upn = format!("{local}@pimlab.onmicrosoft.com");
        let secret = generate_secret().unwrap();
        let uri = otpauth_uri(&secret, &upn).expect("a URI for every valid user name");
        let parsed = totp_rs::Totp::from_url(&uri).unwrap();
        prop_assert_eq!(parsed.account_name(), upn.as_str());
        prop_assert_eq!(parsed.issuer(), Some(crate::auth::totp::ISSUER));
        prop_assert_eq!(parsed.digits(), 6);
        prop_assert_eq!(parsed.step(), 30);
        let now = 1_795_000_000;
        prop_assert_eq!(
            parsed.generate(now as u64).to_string(),
            code_at(&secret, now).unwrap()
        );
    }

    #[test]
    fn anchors_and_checkpoints_round_trip(seq in 0..i64::MAX, hash in "[0-9a-f]{64}", db in "[0-9a-f]{32}", t in 0..253_402_300_799i64) {
        let written = chrono::DateTime::from_timestamp(t, 0).unwrap();
        let anchor = Anchor { database_id: db.clone(), seq, hash: hash.clone(), written };
        prop_assert_eq!(Anchor::from_text(&anchor.to_text()), Some(anchor));
        let cp = Checkpoint::new(&db, seq.max(1), &hash, written);
        prop_assert_eq!(Checkpoint::parse(&cp.to_string()), Some(cp.clone()));
        prop_assert!(cp.matches(&db, &hash));
    }
}

/// CSV text with the shapes an assignments file has, and the ones that break readers.
fn csv_text() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just(String::new()),
        Just("Security Reader".to_owned()),
        Just("eligible".to_owned()),
        Just("2026-12-02T00:00:00Z".to_owned()),
        Just("P30D".to_owned()),
        Just("\"quoted, \"\"cell\"\"\"".to_owned()),
        Just("\"unclosed".to_owned()),
        "[a-z@.,\"\\r\\n\u{feff} ]{0,12}",
    ];
    let row = proptest::collection::vec(cell, 0..9).prop_map(|c| c.join(","));
    (
        prop_oneof![
            Just("role,upn,type,start,end,duration,justification".to_owned()),
            Just("role,upn,type,action".to_owned()),
            "[a-z,]{0,30}",
        ],
        proptest::collection::vec(row, 0..6),
    )
        .prop_map(|(header, rows)| format!("{header}\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn assignment_files_never_panic(csv in csv_text(), s in hostile()) {
        use crate::policy::schedules::{parse_csv, parse_json};
        if let Ok(rows) = parse_csv(&csv) {
            prop_assert!(!rows.is_empty());
        }
        let _ = parse_csv(&s);
        let doc = serde_json::json!({"value": [{
            "@odata.type": s.clone(), "action": s.clone(), "principalId": s.clone(),
            "roleDefinitionId": s.clone(), "directoryScopeId": s.clone(),
            "scheduleInfo": {"startDateTime": s.clone(), "expiration": {"type": s.clone(), "duration": s.clone(), "endDateTime": s}},
        }]});
        let _ = parse_json(&doc);
    }
}
