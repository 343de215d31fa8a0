//! Role settings: Entra's defaults, ranges, patches, the one description of every field.

use super::*;

#[test]
fn every_setting_has_one_description() {
    let mut ids: Vec<&str> = SettingField::ALL.iter().map(|f| f.id()).collect();
    let mut flags: Vec<&str> = SettingField::ALL.iter().map(|f| f.flag()).collect();
    let mut labels: Vec<&str> = SettingField::ALL.iter().map(|f| f.label()).collect();
    for list in [&mut ids, &mut flags, &mut labels] {
        let n = list.len();
        list.sort_unstable();
        list.dedup();
        assert_eq!(list.len(), n, "{list:?}");
    }
    for f in SettingField::ALL {
        assert!(
            super::super::graph::RULE_IDS.contains(&f.graph_rule()),
            "{f:?}: {}",
            f.graph_rule()
        );
    }
    // A change to any one field shows as that field's label.
    let before = RoleSettings::default();
    let after = RoleSettings {
        require_ticket: true,
        ..before.clone()
    };
    let changes = diff(&before, &after);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, SettingField::RequireTicket.label());
}

#[test]
fn defaults_are_entras() {
    let s = RoleSettings::default();
    assert_eq!(s.max_activation, TimeDelta::hours(8));
    assert!(s.require_mfa && s.require_justification && !s.require_ticket);
    assert!(!s.require_approval && s.approvers.is_empty());
    assert!(s.allow_permanent_eligible && s.allow_permanent_active);
    assert_eq!(s.expire_eligible_after, ExpireAfter::YEAR_1);
    assert_eq!(s.expire_active_after, ExpireAfter::MONTHS_6);
    assert!(!s.require_mfa_on_active && s.require_justification_on_active);
}

#[test]
fn activation_maximum_range_in_whole_minutes() {
    for ok in [30, 45, 60, 90, 105, 480, 1440] {
        assert!(check_max_activation(TimeDelta::minutes(ok)).is_ok(), "{ok}");
    }
    for bad in [0, 29, 1441, 1470, 1500] {
        let err = check_max_activation(TimeDelta::minutes(bad)).unwrap_err();
        assert_eq!(err.rule(), Rule::ExpirationRule, "{bad}");
    }
    let odd = check_max_activation(TimeDelta::seconds(3601)).unwrap_err();
    assert!(odd.to_string().contains("(PT1H1S)"), "{odd}");
}

#[test]
fn a_patch_reports_only_real_changes() {
    let current = RoleSettings::default();
    let patch = SettingsPatch {
        allow_permanent_active: Some(false),
        require_mfa: Some(true),
        ..SettingsPatch::default()
    };
    let (next, changes) = apply_patch(&current, &patch).unwrap();
    assert!(!next.allow_permanent_active);
    assert_eq!(
        changes,
        vec![Change {
            field: "Allow permanent active assignment".into(),
            before: "on".into(),
            after: "off".into()
        }]
    );
}

#[test]
fn an_invalid_patch_changes_nothing_and_names_the_rule() {
    let patch = SettingsPatch {
        max_activation: Some(TimeDelta::hours(25)),
        ..SettingsPatch::default()
    };
    let err = apply_patch(&RoleSettings::default(), &patch).unwrap_err();
    assert_eq!(err.rule(), Rule::ExpirationRule);
    assert!(err.to_string().contains("25h (P1DT1H)"), "{err}");
}

#[test]
fn expiry_choices_parse_from_days_and_words() {
    assert_eq!(ExpireAfter::parse("15d").unwrap(), ExpireAfter::DAYS_15);
    assert_eq!(ExpireAfter::parse("P90D").unwrap(), ExpireAfter::MONTHS_3);
    assert_eq!(
        ExpireAfter::parse("6 months").unwrap(),
        ExpireAfter::MONTHS_6
    );
    assert_eq!(ExpireAfter::parse("1year").unwrap(), ExpireAfter::YEAR_1);
    assert_eq!(ExpireAfter::parse("30d").unwrap(), ExpireAfter::MONTH_1);
    let custom = ExpireAfter::parse("P270D").unwrap();
    assert_eq!(
        (custom.days(), custom.label()),
        (270, "270 days".to_owned())
    );
    for bad in ["366d", "0d", "12h", "P1Y", "abc"] {
        assert_eq!(
            ExpireAfter::parse(bad).unwrap_err().rule(),
            Rule::ExpirationRule,
            "{bad}"
        );
    }
}
