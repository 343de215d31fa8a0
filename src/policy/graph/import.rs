//! Reading Graph rules back into a settings patch: each rule's fields checked against what pim
//! can do, every error reported with its rule and field.

use super::*;

/// Reads rules into a settings patch: every error at once, or what they ask for.
pub fn import(rules: &[Value]) -> Result<Imported, Vec<RuleError>> {
    let mut out = Imported::default();
    let mut errors = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let mut r = Reader {
            rule,
            id: rule
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("rule {}", i + 1), str::to_owned),
            errors: &mut errors,
        };
        let Some(obj) = rule.as_object() else {
            r.malformed("", "is not a JSON object");
            continue;
        };
        if !obj.contains_key("id") {
            r.malformed(
                "id",
                "is missing; every rule names itself (e.g. Expiration_EndUser_Assignment)",
            );
            continue;
        }
        let id = r.id.clone();
        if !RULE_IDS.contains(&id.as_str()) {
            r.malformed(
                "id",
                "is not one of the 17 rule ids of a role's policy (see `pim settings export`)",
            );
            continue;
        }
        if seen.contains(&id) {
            r.malformed("", "appears twice");
            continue;
        }
        seen.push(id.clone());
        let (expected, _) = body(&id, &RoleSettings::default());
        match obj.get("@odata.type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case(expected) => {}
            Some(_) => r.malformed("@odata.type", &format!("must be {expected} for this rule")),
            None => r.malformed(
                "@odata.type",
                &format!("is missing; Graph needs it on every rule ({expected})"),
            ),
        }
        r.target();
        r.apply(&mut out);
    }
    // The admin center offers MFA or an authentication context on activation, not both.
    if let (Some(true), Some(Some(claim))) = (out.patch.require_mfa, &out.patch.auth_context) {
        errors.push(RuleError {
            rule: "AuthenticationContext_EndUser_Assignment".into(),
            field: "isEnabled".into(),
            message: crate::policy::settings::mfa_and_acrs(claim).to_string(),
            beyond_limits: true,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads one rule, collecting errors.
struct Reader<'a> {
    rule: &'a Value,
    id: String,
    errors: &'a mut Vec<RuleError>,
}

impl Reader<'_> {
    fn push(&mut self, field: &str, message: &str, beyond_limits: bool) {
        self.errors.push(RuleError {
            rule: self.id.clone(),
            field: field.to_owned(),
            message: message.to_owned(),
            beyond_limits,
        });
    }

    fn malformed(&mut self, field: &str, message: &str) {
        self.push(field, message, false);
    }

    fn get(&self, path: &str) -> Option<&Value> {
        path.split('.')
            .try_fold(self.rule, |v, key| match key.parse::<usize>() {
                Ok(i) => v.get(i),
                Err(_) => v.get(key),
            })
    }

    fn bool(&mut self, path: &str) -> Option<bool> {
        match self.get(path) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.malformed(path, "must be true or false");
                None
            }
        }
    }

    fn str(&mut self, path: &str) -> Option<String> {
        match self.get(path) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.malformed(path, "must be a string");
                None
            }
        }
    }

    fn strings(&mut self, path: &str) -> Option<Vec<String>> {
        match self.get(path) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Some(_) => {
                self.malformed(path, "must be a list of strings");
                None
            }
        }
    }

    /// A field that pim holds at one value (what the portal always sets).
    fn fixed(&mut self, path: &str, wanted: &Value, why: &str) {
        if let Some(v) = self.get(path).filter(|v| !v.is_null())
            && v != wanted
        {
            let shown = v.to_string();
            self.push(
                path,
                &format!(
                    "is {}, but pim supports only {wanted}: {why}",
                    crate::policy::text::clip(&shown, 60)
                ),
                true,
            );
        }
    }

    fn duration(&mut self, path: &str) -> Option<TimeDelta> {
        let text = self.str(path)?;
        if !text.starts_with(['P', 'p']) {
            self.malformed(
                path,
                &format!(
                    "'{}' is not an ISO 8601 duration such as PT8H or P365D",
                    crate::policy::text::clip(&text, 40)
                ),
            );
            return None;
        }
        match parse_duration(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.malformed(path, &e.to_string());
                None
            }
        }
    }

    fn target(&mut self) {
        let Some(target) = self.get("target").filter(|t| !t.is_null()) else {
            return;
        };
        if !target.is_object() {
            self.malformed("target", "must be an object {caller, operations, level}");
            return;
        }
        let id = self.id.clone();
        let (caller, level) = caller_level(&id);
        for (field, wanted) in [("target.caller", caller), ("target.level", level)] {
            if let Some(v) = self.str(field)
                && !v.eq_ignore_ascii_case(wanted)
            {
                self.malformed(field, &format!("is {v}, but this rule's is {wanted}"));
            }
        }
        for list in ["target.inheritableSettings", "target.enforcedSettings"] {
            if self.strings(list).is_some_and(|l| !l.is_empty()) {
                self.push(
                    list,
                    "must be empty: pim has no tenant-wide policy to inherit from",
                    true,
                );
            }
        }
    }

    fn apply(&mut self, out: &mut Imported) {
        let id = self.id.clone();
        if let Some(row) = NotifyRow::ALL.into_iter().find(|r| r.rule_id() == id) {
            self.notification(row, out);
            return;
        }
        match id.as_str() {
            "Expiration_Admin_Eligibility" | "Expiration_Admin_Assignment" => {
                let permanent = self.bool("isExpirationRequired").map(|required| !required);
                let limit = self.duration("maximumDuration").and_then(|d| {
                    let days = (d.num_seconds() % 86_400 == 0).then(|| d.num_days());
                    let limit = days.and_then(ExpireAfter::from_days);
                    if limit.is_none() {
                        self.push(
                            "maximumDuration",
                            &format!(
                                "{} is not whole days from P1D to P365D (Entra's limit)",
                                format_iso(d)
                            ),
                            true,
                        );
                    }
                    limit
                });
                if id == "Expiration_Admin_Eligibility" {
                    out.patch.allow_permanent_eligible = permanent;
                    out.patch.expire_eligible_after = limit;
                } else {
                    out.patch.allow_permanent_active = permanent;
                    out.patch.expire_active_after = limit;
                }
            }
            "Expiration_EndUser_Assignment" => {
                self.fixed(
                    "isExpirationRequired",
                    &json!(true),
                    "activations always end",
                );
                if let Some(d) = self.duration("maximumDuration") {
                    match check_max_activation(d) {
                        Ok(()) => out.patch.max_activation = Some(d),
                        Err(r) => self.push("maximumDuration", &r.violations[0].message, true),
                    }
                }
            }
            "Enablement_Admin_Eligibility" | "Enablement_Admin_Assignment" => {
                let Some(rules) = self.flags(&["MultiFactorAuthentication", "Justification"])
                else {
                    return;
                };
                let mfa = Some(rules.iter().any(|r| r == "MultiFactorAuthentication"));
                let justification = Some(rules.iter().any(|r| r == "Justification"));
                if id == "Enablement_Admin_Eligibility" {
                    out.patch.require_mfa_on_eligible = mfa;
                    out.patch.require_justification_on_eligible = justification;
                } else {
                    out.patch.require_mfa_on_active = mfa;
                    out.patch.require_justification_on_active = justification;
                }
            }
            "Enablement_EndUser_Assignment" => {
                let Some(rules) =
                    self.flags(&["MultiFactorAuthentication", "Justification", "Ticketing"])
                else {
                    return;
                };
                let has = |name: &str| Some(rules.iter().any(|r| r == name));
                out.patch.require_mfa = has("MultiFactorAuthentication");
                out.patch.require_justification = has("Justification");
                out.patch.require_ticket = has("Ticketing");
            }
            "Approval_EndUser_Assignment" => self.approval(out),
            _ => {
                let enabled = self.bool("isEnabled");
                let claim = match self.get("claimValue") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(c)) => Some(c.clone()),
                    Some(_) => {
                        self.malformed("claimValue", "must be a string such as \"c1\", or null");
                        return;
                    }
                };
                match (enabled, claim) {
                    (Some(true), Some(c)) => match crate::policy::settings::parse_auth_context(&c) {
                        Ok(c) => out.patch.auth_context = Some(Some(c)),
                        Err(why) => self.malformed("claimValue", &why),
                    },
                    (Some(true), None) => self.malformed(
                        "claimValue",
                        "is needed when isEnabled is true: the authentication context's claim value (c1 to c99)",
                    ),
                    (Some(false), _) => out.patch.auth_context = Some(None),
                    (None, _) => {}
                }
            }
        }
    }

    /// `enabledRules`, each one of `allowed` (Graph's names, any case).
    fn flags(&mut self, allowed: &[&str]) -> Option<Vec<String>> {
        let list = self.strings("enabledRules")?;
        let mut out = Vec::new();
        for name in list {
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(&name)) {
                Some(a) => out.push((*a).to_owned()),
                None => self.malformed(
                    "enabledRules",
                    &format!(
                        "'{}' is not one of {}",
                        crate::policy::text::clip(&name, 40),
                        allowed.join(", ")
                    ),
                ),
            }
        }
        Some(out)
    }

    fn approval(&mut self, out: &mut Imported) {
        if self.get("setting").is_none() {
            return;
        }
        out.patch.require_approval = self.bool("setting.isApprovalRequired");
        self.fixed(
            "setting.isApprovalRequiredForExtension",
            &json!(false),
            "extension requests always go to administrators",
        );
        self.fixed(
            "setting.isRequestorJustificationRequired",
            &json!(true),
            "a request always carries the requestor's justification",
        );
        if let Some(mode) = self.str("setting.approvalMode")
            && !["SingleStage", "NoApproval"]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&mode))
        {
            self.push(
                "setting.approvalMode",
                &format!(
                    "is {mode}; pim approves in a single stage (Graph does not support more either)"
                ),
                true,
            );
        }
        let stages = match self.get("setting.approvalStages") {
            None | Some(Value::Null) => return,
            Some(Value::Array(stages)) => stages.len(),
            Some(_) => {
                self.malformed("setting.approvalStages", "must be a list of stages");
                return;
            }
        };
        if stages > 1 {
            self.push(
                "setting.approvalStages",
                "has more than one stage; pim approves in a single stage",
                true,
            );
        }
        if stages == 0 {
            out.approvers = Some(Vec::new());
            return;
        }
        let stage = "setting.approvalStages.0";
        self.fixed(
            &format!("{stage}.approvalStageTimeOutInDays"),
            &json!(1),
            "requests expire after 24 hours, as in the portal",
        );
        self.fixed(
            &format!("{stage}.isApproverJustificationRequired"),
            &json!(true),
            "approvers always give a reason",
        );
        self.fixed(
            &format!("{stage}.isEscalationEnabled"),
            &json!(false),
            "pim has no escalation",
        );
        self.fixed(
            &format!("{stage}.escalationTimeInMinutes"),
            &json!(0),
            "pim has no escalation",
        );
        self.fixed(
            &format!("{stage}.escalationApprovers"),
            &json!([]),
            "pim has no escalation",
        );
        let field = format!("{stage}.primaryApprovers");
        let approvers = match self.get(&field) {
            None | Some(Value::Null) => return,
            Some(Value::Array(list)) => list.clone(),
            Some(_) => {
                self.malformed(&field, "must be a list of approvers");
                return;
            }
        };
        let mut refs = Vec::new();
        for a in &approvers {
            let odata = a.get("@odata.type").and_then(Value::as_str).unwrap_or("");
            if !odata.eq_ignore_ascii_case(SINGLE_USER) {
                self.push(
                    &field,
                    &format!("'{}' approvers are not available in pim; name users (#microsoft.graph.singleUser)", crate::policy::text::clip(odata, 60)),
                    true,
                );
                continue;
            }
            match a.get("userId").and_then(Value::as_str) {
                Some(user_id) if !user_id.is_empty() => refs.push(ApproverRef {
                    user_id: user_id.to_owned(),
                    description: a
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                _ => self.malformed(&field, "an approver has no userId"),
            }
        }
        out.approvers = Some(refs);
    }

    fn notification(&mut self, row: NotifyRow, out: &mut Imported) {
        self.fixed(
            "notificationType",
            &json!("Email"),
            "notifications are e-mail",
        );
        let wanted = match row.recipient {
            NotifyRecipient::Admin => "Admin",
            NotifyRecipient::Requestor => "Requestor",
            NotifyRecipient::Approver => "Approver",
        };
        if let Some(r) = self.str("recipientType")
            && !r.eq_ignore_ascii_case(wanted)
        {
            self.malformed(
                "recipientType",
                &format!("is {r}, but this rule's recipient is {wanted}"),
            );
        }
        let critical_only = match self.str("notificationLevel") {
            None => None,
            Some(l) if l.eq_ignore_ascii_case("All") => Some(false),
            Some(l) if l.eq_ignore_ascii_case("Critical") => Some(true),
            Some(l) => {
                self.push(
                    "notificationLevel",
                    &format!("is {l}; use All or Critical (to turn an e-mail off, set isDefaultRecipientsEnabled to false with no notificationRecipients, as the portal does)"),
                    true,
                );
                None
            }
        };
        let additional = self.strings("notificationRecipients");
        if let Some(list) = &additional {
            for addr in list.iter().filter(|a| !is_email_address(a)) {
                self.malformed(
                    "notificationRecipients",
                    &format!(
                        "'{}' is not an e-mail address",
                        crate::policy::text::clip(addr, 80)
                    ),
                );
            }
        }
        out.patch.notifications.push(NotificationPatch {
            row,
            default_recipients: self.bool("isDefaultRecipientsEnabled"),
            additional_recipients: additional,
            critical_only,
        });
    }
}
