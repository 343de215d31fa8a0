//! Running the table modules' SQL on PostgreSQL: placeholders and the few words that differ
//! translated (once per statement, then kept prepared), values bound by the type the server
//! expects, and cells read back as the shared [`Cell`]s.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Statement};

use super::pg_reason;
use crate::store::sql::{Cell, Param, Row, Value};
use crate::store::{StoreError, StoreResult};

/// A PostgreSQL connection the table modules run on. Its statements are kept prepared.
pub struct PgConn {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
    changed: std::cell::Cell<bool>,
    /// Where it is connected (`user@host:port/db`), for messages.
    pub shown: String,
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgConn({})", self.shown)
    }
}

type PgParams<'a> = Vec<PgValue<'a>>;

impl PgConn {
    /// Wraps a connected client.
    pub fn new(client: Client, shown: String) -> Self {
        Self {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            changed: std::cell::Cell::new(false),
            shown,
        }
    }

    /// A server error in this connection's words.
    pub fn fail(&self, e: &postgres::Error) -> StoreError {
        StoreError::Postgres {
            target: self.shown.clone(),
            what: pg_reason(e),
        }
    }

    fn statement(&self, sql: &str) -> StoreResult<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let translated = translate(sql);
        let stmt = self.client.borrow_mut().prepare(&translated).map_err(|e| {
            // A statement the server cannot prepare is pim's fault: say which.
            let mut err = self.fail(&e);
            if let StoreError::Postgres { what, .. } = &mut err {
                let words: String = translated.split_whitespace().collect::<Vec<_>>().join(" ");
                what.push_str(&format!(" in: {}", crate::policy::text::clip(&words, 600)));
            }
            err
        })?;
        self.statements
            .borrow_mut()
            .insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    fn bind<'a>(args: &'a [&'a dyn Param]) -> PgParams<'a> {
        args.iter().map(|a| PgValue(a.value())).collect()
    }

    /// Prepares `sql` (once), binds `args` and hands both to `run` with the client.
    fn run<T>(
        &self,
        sql: &str,
        args: &[&dyn Param],
        run: impl FnOnce(&mut Client, &Statement, &[&(dyn ToSql + Sync)]) -> Result<T, postgres::Error>,
    ) -> StoreResult<T> {
        let stmt = self.statement(sql)?;
        let values = Self::bind(args);
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        run(&mut self.client.borrow_mut(), &stmt, &refs).map_err(|e| self.fail(&e))
    }

    /// Runs a statement; how many rows it changed.
    pub fn exec(&self, sql: &str, args: &[&dyn Param]) -> StoreResult<usize> {
        let n = self.run(sql, args, |c, stmt, refs| c.execute(stmt, refs))?;
        if n > 0 {
            self.changed.set(true);
        }
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Notes that a statement run as text changed rows.
    pub fn mark_changed(&self) {
        self.changed.set(true);
    }

    /// Whether anything changed since last asked (and forgets it).
    pub fn take_changed(&self) -> bool {
        self.changed.replace(false)
    }

    /// How many change notifications other connections sent since last asked, read without
    /// waiting.
    pub fn notifications_from_others(&self, own_pid: i32) -> StoreResult<i64> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.client.borrow_mut();
        let mut n = 0;
        {
            let mut notes = client.notifications();
            // The non-blocking iterator only sees what an earlier round trip read; a short
            // wait on the socket hears what arrived since.
            let mut pending = notes.timeout_iter(std::time::Duration::from_millis(5));
            while let Some(note) = pending.next().map_err(|e| self.fail(&e))? {
                if note.process_id() != own_pid {
                    n += 1;
                }
            }
        }
        if client.is_closed() {
            return Err(StoreError::Postgres {
                target: self.shown.clone(),
                what: "the connection to the server was lost".into(),
            });
        }
        Ok(n)
    }

    /// Runs SQL text (several statements, no parameters).
    pub fn batch(&self, sql: &str) -> StoreResult<()> {
        self.client
            .borrow_mut()
            .batch_execute(&translate(sql))
            .map_err(|e| self.fail(&e))
    }

    /// Calls `each` on every row, read first in full, so `each` may run statements of its own
    /// on this connection (the client is busy while rows stream).
    pub fn each(
        &self,
        sql: &str,
        args: &[&dyn Param],
        each: &mut dyn FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let rows = self.run(sql, args, |c, stmt, refs| c.query(stmt, refs))?;
        for r in &rows {
            if !each(&Row::Pg(r))? {
                break;
            }
        }
        Ok(())
    }

    /// Calls `each` on every row as it arrives, without holding them all; `each` must not use
    /// this connection.
    pub fn stream(
        &self,
        sql: &str,
        args: &[&dyn Param],
        each: &mut dyn FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.statement(sql)?;
        let values = Self::bind(args);
        let mut client = self.client.borrow_mut();
        let mut rows = client
            .query_raw(&stmt, values.iter().map(|v| v as &dyn ToSql))
            .map_err(|e| self.fail(&e))?;
        while let Some(r) = rows.next().map_err(|e| self.fail(&e))? {
            if !each(&Row::Pg(&r))? {
                break;
            }
        }
        Ok(())
    }

    /// The client itself, for what the shared SQL does not cover (transactions, LISTEN).
    pub fn client(&self) -> std::cell::RefMut<'_, Client> {
        self.client.borrow_mut()
    }
}

/// Column `i` of a PostgreSQL row as a [`Cell`].
pub(crate) fn cell<T>(
    r: &postgres::Row,
    i: usize,
    read: impl FnOnce(Cell<'_>) -> StoreResult<T>,
) -> StoreResult<T> {
    let bad = |e: postgres::Error| StoreError::Corrupt(format!("column {i}: {e}"));
    let Some(column) = r.columns().get(i) else {
        return Err(StoreError::Corrupt(format!("no column {i}")));
    };
    let ty = column.type_().clone();
    match ty {
        Type::INT8 => read(int(r.try_get::<_, Option<i64>>(i).map_err(bad)?)),
        Type::INT4 => read(int(r
            .try_get::<_, Option<i32>>(i)
            .map_err(bad)?
            .map(i64::from))),
        Type::INT2 => read(int(r
            .try_get::<_, Option<i16>>(i)
            .map_err(bad)?
            .map(i64::from))),
        Type::BOOL => read(int(r
            .try_get::<_, Option<bool>>(i)
            .map_err(bad)?
            .map(i64::from))),
        Type::NUMERIC => read(int(r
            .try_get::<_, Option<Numeric>>(i)
            .map_err(bad)?
            .map(|n| n.0))),
        Type::FLOAT8 => read(
            r.try_get::<_, Option<f64>>(i)
                .map_err(bad)?
                .map_or(Cell::Null, Cell::Real),
        ),
        Type::FLOAT4 => read(
            r.try_get::<_, Option<f32>>(i)
                .map_err(bad)?
                .map_or(Cell::Null, |f| Cell::Real(f64::from(f))),
        ),
        Type::BYTEA => read(
            r.try_get::<_, Option<&[u8]>>(i)
                .map_err(bad)?
                .map_or(Cell::Null, Cell::Blob),
        ),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => read(
            r.try_get::<_, Option<&str>>(i)
                .map_err(bad)?
                .map_or(Cell::Null, Cell::Text),
        ),
        // Anything else (a tsvector) as the bytes the server sent.
        _ => read(
            r.try_get::<_, Option<Raw<'_>>>(i)
                .map_err(bad)?
                .map_or(Cell::Null, |b| Cell::Blob(b.0)),
        ),
    }
}

fn int<'a>(v: Option<i64>) -> Cell<'a> {
    v.map_or(Cell::Null, Cell::Int)
}

/// A value of any type, as the bytes the server sent.
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A whole NUMERIC (what `sum` of integers gives on PostgreSQL), read as an integer.
struct Numeric(i64);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let word = |k: usize| -> Result<u16, Box<dyn Error + Sync + Send>> {
            raw.get(k..k + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a short NUMERIC".into())
        };
        let ndigits = usize::from(word(0)?);
        let weight = i32::from(word(2)?.cast_signed());
        let sign = word(4)?;
        if sign == 0xC000 {
            return Err("NaN is not a whole number".into());
        }
        let mut value: i64 = 0;
        for k in 0..ndigits {
            let exponent = weight - i32::try_from(k)?;
            if exponent < 0 {
                break;
            }
            let digit = i64::from(word(8 + 2 * k)?);
            let scale = 10_000_i64
                .checked_pow(u32::try_from(exponent)?)
                .ok_or("a NUMERIC too large for a 64-bit integer")?;
            value = digit
                .checked_mul(scale)
                .and_then(|d| value.checked_add(d))
                .ok_or("a NUMERIC too large for a 64-bit integer")?;
        }
        Ok(Numeric(if sign == 0x4000 { -value } else { value }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

/// A value bound by the type the server expects for its placeholder.
#[derive(Debug)]
struct PgValue<'a>(Value<'a>);

impl ToSql for PgValue<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            #[expect(
                clippy::cast_precision_loss,
                reason = "an integer bound where a float is expected"
            )]
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::NUMERIC | &Type::INT4_RANGE) => {
                Err(format!("cannot bind {i} as {ty}").into())
            }
            (Value::Int(i), _) => i.to_string().as_str().to_sql(&Type::TEXT, out),
            (Value::Real(r), &Type::FLOAT8) => r.to_sql(ty, out),
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a float bound where a real is expected"
            )]
            (Value::Real(r), &Type::FLOAT4) => (*r as f32).to_sql(ty, out),
            (Value::Text(t), &Type::BYTEA) => t.as_bytes().to_sql(ty, out),
            (Value::Text(t), _) if is_integer(ty) => {
                Err(format!("cannot bind the text {t:?} as {ty}").into())
            }
            (Value::Text(t), _) => t.as_ref().to_sql(&Type::TEXT, out),
            (Value::Blob(b), &Type::BYTEA) => b.as_ref().to_sql(ty, out),
            (v, _) => Err(format!("cannot bind {v:?} as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn is_integer(ty: &Type) -> bool {
    matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::BOOL)
}

/// The shared SQL in PostgreSQL's words: `?N` and `?` become `$N`, `rowid` the tables'
/// `rid` column, `LIKE` `ILIKE` (SQLite's LIKE ignores ASCII case) and SQLite's planner hints
/// dropped. Quoted text and
/// identifiers are left alone.
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    let mut next_anonymous = 1;
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek()
                    && d.is_ascii_digit()
                {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str(&format!("${next_anonymous}"));
                    next_anonymous += 1;
                } else {
                    out.push('$');
                    out.push_str(&digits);
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = at + c.len_utf8();
                while let Some(&(k, d)) = chars.peek()
                    && (d.is_ascii_alphanumeric() || d == '_')
                {
                    end = k + d.len_utf8();
                    chars.next();
                }
                let word = &sql[at..end];
                if word.eq_ignore_ascii_case("indexed") {
                    // SQLite's planner hints (`NOT INDEXED`, `INDEXED BY name`) are dropped.
                    if out.trim_end().to_ascii_uppercase().ends_with("NOT") {
                        let keep = out.trim_end().len() - 3;
                        out.truncate(keep);
                        out.truncate(out.trim_end().len());
                    } else {
                        out.truncate(out.trim_end().len());
                        for _ in 0..2 {
                            while chars.peek().is_some_and(|(_, d)| d.is_whitespace()) {
                                chars.next();
                            }
                            while chars
                                .peek()
                                .is_some_and(|(_, d)| d.is_ascii_alphanumeric() || *d == '_')
                            {
                                chars.next();
                            }
                        }
                    }
                } else if word.eq_ignore_ascii_case("rowid") {
                    out.push_str("rid");
                } else if word.eq_ignore_ascii_case("like") {
                    // Case-blind columns (COLLATE nocase) cannot be matched by pattern; the
                    // pattern runs under "C", where ILIKE folds ASCII as SQLite's LIKE does.
                    out.push_str("COLLATE \"C\" ILIKE");
                } else {
                    out.push_str(word);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn placeholders_and_the_words_that_differ_are_translated_outside_quotes() {
        assert_eq!(
            translate(
                "SELECT rowid, rowid_mix FROM t WHERE a = ?1 AND b LIKE ?2 AND c = 'x?1 rowid' ORDER BY rowid"
            ),
            "SELECT rid, rowid_mix FROM t WHERE a = $1 AND b COLLATE \"C\" ILIKE $2 AND c = 'x?1 rowid' ORDER BY rid"
        );
        assert_eq!(translate("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
        assert_eq!(
            translate("FROM assignments NOT INDEXED WHERE x FROM a INDEXED BY a_idx WHERE y"),
            "FROM assignments WHERE x FROM a WHERE y"
        );
        assert_eq!(
            translate("x = ?12 AND \"rowid\" = 1"),
            "x = $12 AND \"rowid\" = 1"
        );
        assert_eq!(
            translate("name ILIKE 'a''b' AND é = 1"),
            "name ILIKE 'a''b' AND é = 1"
        );
    }
}
