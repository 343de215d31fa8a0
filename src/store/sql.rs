//! One way to run SQL on either backend: the table modules write their statements once, in
//! the SQL that SQLite and PostgreSQL share (`?1` placeholders, 0/1 switches, Unix-second
//! times), and run them on a [`Conn`], which is an SQLite connection or a PostgreSQL one. Where
//! the two dialects differ the module asks [`Conn::dialect`]; the few words that differ only in
//! spelling (`rowid`, `LIKE`'s case) are translated for PostgreSQL in one place (`pg::sql`).

use std::borrow::Cow;

use super::{StoreError, StoreResult};

/// Which SQL a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL (teams).
    Postgres,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// NULL.
    Null,
    /// An integer (times, counts, 0/1 switches).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(Cow<'a, str>),
    /// Bytes.
    Blob(Cow<'a, [u8]>),
}

/// What can be bound to a placeholder.
pub trait Param {
    /// The value to bind.
    fn value(&self) -> Value<'_>;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, i16);

impl Param for u64 {
    fn value(&self) -> Value<'_> {
        i64::try_from(*self).map_or(Value::Int(i64::MAX), Value::Int)
    }
}

impl Param for usize {
    fn value(&self) -> Value<'_> {
        i64::try_from(*self).map_or(Value::Int(i64::MAX), Value::Int)
    }
}

impl Param for bool {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl Param for Value<'_> {
    fn value(&self) -> Value<'_> {
        match self {
            Value::Text(t) => Value::Text(Cow::Borrowed(t)),
            Value::Blob(b) => Value::Blob(Cow::Borrowed(b)),
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(*i),
            Value::Real(r) => Value::Real(*r),
        }
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

/// The placeholders' values, in order: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::store::sql::Param] };
    ($($e:expr),+ $(,)?) => { &[$(&$e as &dyn $crate::store::sql::Param),+] as &[&dyn $crate::store::sql::Param] };
}
pub use args;

/// Named placeholders' values: `named! {":role": role, ":now": now}`.
#[macro_export]
macro_rules! named {
    ($($name:literal : $e:expr),* $(,)?) => {
        &[$(($name, &$e as &dyn $crate::store::sql::Param)),*] as &[(&str, &dyn $crate::store::sql::Param)]
    };
}
pub use named;

/// A statement's values: in order (`?1`, `?`), or by name (`:now`).
#[derive(Clone, Copy)]
pub enum Args<'a> {
    /// `args![…]`.
    Positional(&'a [&'a dyn Param]),
    /// `named! {…}`.
    Named(&'a [(&'a str, &'a dyn Param)]),
}

impl<'a> From<&'a [&'a dyn Param]> for Args<'a> {
    fn from(a: &'a [&'a dyn Param]) -> Self {
        Args::Positional(a)
    }
}

impl<'a> From<&'a [(&'a str, &'a dyn Param)]> for Args<'a> {
    fn from(a: &'a [(&'a str, &'a dyn Param)]) -> Self {
        Args::Named(a)
    }
}

impl<'a, const N: usize> From<&'a [&'a dyn Param; N]> for Args<'a> {
    fn from(a: &'a [&'a dyn Param; N]) -> Self {
        Args::Positional(a)
    }
}

impl<'a> From<&'a Vec<&'a dyn Param>> for Args<'a> {
    fn from(a: &'a Vec<&'a dyn Param>) -> Self {
        Args::Positional(a)
    }
}

impl<'a> From<&'a Vec<(&'a str, &'a dyn Param)>> for Args<'a> {
    fn from(a: &'a Vec<(&'a str, &'a dyn Param)>) -> Self {
        Args::Named(a)
    }
}

impl<'a> Args<'a> {
    /// The statement with positional placeholders, and the values in their order.
    fn resolve<'s>(self, sql: &'s str) -> (Cow<'s, str>, Vec<&'a dyn Param>) {
        match self {
            Args::Positional(a) => (Cow::Borrowed(sql), a.to_vec()),
            Args::Named(n) => {
                let names: Vec<&str> = n.iter().map(|(k, _)| *k).collect();
                (
                    Cow::Owned(positional(sql, &names)),
                    n.iter().map(|(_, v)| *v).collect(),
                )
            }
        }
    }
}

/// Named placeholders (`:now`) made positional (`?N`, in the order of `names`), outside quoted
/// text; a name not in `names` is left as it is (and the database will say so).
pub fn positional(sql: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.char_indices().peekable();
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
            ':' if chars
                .peek()
                .is_some_and(|&(_, d)| d.is_ascii_alphabetic() || d == '_') =>
            {
                let mut end = at + 1;
                while let Some(&(k, d)) = chars.peek()
                    && (d.is_ascii_alphanumeric() || d == '_')
                {
                    end = k + d.len_utf8();
                    chars.next();
                }
                let name = &sql[at..end];
                match names.iter().position(|n| *n == name) {
                    Some(k) => out.push_str(&format!("?{}", k + 1)),
                    None => out.push_str(name),
                }
            }
            ':' if chars.peek().is_some_and(|&(_, d)| d == ':') => {
                out.push_str("::");
                chars.next();
            }
            c => out.push(c),
        }
    }
    out
}

/// One cell of a result row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// NULL.
    Null,
    /// An integer (PostgreSQL's booleans come as 0/1).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// What a cell can be read as.
pub trait FromCell: Sized {
    /// The value, or what was wrong with the cell.
    ///
    /// # Errors
    /// When the cell holds another type.
    fn from_cell(c: Cell<'_>) -> Result<Self, String>;
}

impl FromCell for i64 {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        match c {
            Cell::Int(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

impl FromCell for i32 {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        let i = i64::from_cell(c)?;
        i32::try_from(i).map_err(|_| format!("{i} is out of range"))
    }
}

impl FromCell for u32 {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        let i = i64::from_cell(c)?;
        u32::try_from(i).map_err(|_| format!("{i} is out of range"))
    }
}

impl FromCell for bool {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        Ok(i64::from_cell(c)? != 0)
    }
}

impl FromCell for f64 {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        match c {
            Cell::Real(r) => Ok(r),
            #[expect(clippy::cast_precision_loss, reason = "SQL numbers read as floats")]
            Cell::Int(i) => Ok(i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

impl FromCell for String {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        match c {
            Cell::Text(t) => Ok(t.to_owned()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        match c {
            Cell::Blob(b) => Ok(b.to_vec()),
            Cell::Text(t) => Ok(t.as_bytes().to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(c: Cell<'_>) -> Result<Self, String> {
        match c {
            Cell::Null => Ok(None),
            c => T::from_cell(c).map(Some),
        }
    }
}

/// A result row, read by column number.
pub enum Row<'r> {
    /// SQLite's.
    Sqlite(&'r rusqlite::Row<'r>),
    /// PostgreSQL's.
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `i` as a [`Cell`], handed to `read` (the cell borrows from the row).
    fn read<T>(&self, i: usize, read: impl FnOnce(Cell<'_>) -> StoreResult<T>) -> StoreResult<T> {
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                read(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Int(n),
                    ValueRef::Real(f) => Cell::Real(f),
                    ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).map_err(|e| {
                        StoreError::Corrupt(format!("column {i} is not UTF-8: {e}"))
                    })?),
                    ValueRef::Blob(b) => Cell::Blob(b),
                })
            }
            Row::Pg(r) => super::pg::sql::cell(r, i, read),
        }
    }

    /// Column `i` as `T`.
    ///
    /// # Errors
    /// When the column does not exist or holds another type.
    pub fn get<T: FromCell>(&self, i: usize) -> StoreResult<T> {
        self.read(i, |c| {
            T::from_cell(c).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
        })
    }

    /// Column `i` shown as text (for comparing whole rows), or `None` past the last column.
    ///
    /// # Errors
    /// When the column cannot be read.
    pub fn cell(&self, i: usize) -> StoreResult<Option<String>> {
        let count = match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Pg(r) => r.len(),
        };
        if i >= count {
            return Ok(None);
        }
        self.read(i, |c| Ok(format!("{c:?}"))).map(Some)
    }

    /// Column `i` as a value to bind elsewhere (copying a row from one database to another).
    ///
    /// # Errors
    /// When the column cannot be read.
    pub fn value(&self, i: usize) -> StoreResult<Value<'static>> {
        self.read(i, |c| {
            Ok(match c {
                Cell::Null => Value::Null,
                Cell::Int(n) => Value::Int(n),
                Cell::Real(r) => Value::Real(r),
                Cell::Text(t) => Value::Text(Cow::Owned(t.to_owned())),
                Cell::Blob(b) => Value::Blob(Cow::Owned(b.to_vec())),
            })
        })
    }

    /// Column `i` as the bytes of its text (NULL as `None`), without copying: for reading
    /// many rows fast (the audit chain's verification).
    ///
    /// # Errors
    /// When the column is not text.
    pub fn text_bytes(&self, i: usize) -> StoreResult<Option<&[u8]>> {
        match self {
            Row::Sqlite(r) => match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                rusqlite::types::ValueRef::Text(b) => Ok(Some(b)),
                v => Err(StoreError::Corrupt(format!(
                    "column {i} holds {} where text belongs",
                    v.data_type()
                ))),
            },
            Row::Pg(r) => Ok(r
                .try_get::<_, Option<&str>>(i)
                .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))?
                .map(str::as_bytes)),
        }
    }
}

/// A connection (or open transaction) on either backend.
#[derive(Clone, Copy)]
pub enum Conn<'c> {
    /// An SQLite connection.
    Sqlite(&'c rusqlite::Connection),
    /// A PostgreSQL connection.
    Pg(&'c super::pg::sql::PgConn),
}

impl<'c> From<&'c rusqlite::Connection> for Conn<'c> {
    fn from(c: &'c rusqlite::Connection) -> Self {
        Conn::Sqlite(c)
    }
}

impl Conn<'_> {
    /// Which SQL it speaks.
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Pg(_) => Dialect::Postgres,
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_pg(&self) -> bool {
        self.dialect() == Dialect::Postgres
    }

    /// Runs a statement (kept prepared); how many rows it changed.
    ///
    /// # Errors
    /// The database's error.
    pub fn exec<'a>(&self, sql: &str, args: impl Into<Args<'a>>) -> StoreResult<usize> {
        let (sql, args) = args.into().resolve(sql);
        match self {
            Conn::Sqlite(c) => Ok(c.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(
                args.iter().map(|a| Bound(a.value())),
            ))?),
            Conn::Pg(c) => c.exec(&sql, &args),
        }
    }

    /// Runs SQL text with no parameters: several statements.
    ///
    /// # Errors
    /// The database's error.
    pub fn batch(&self, sql: &str) -> StoreResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => {
                c.batch(sql)?;
                c.mark_changed();
                Ok(())
            }
        }
    }

    /// Calls `each` on every row, in order, until it returns false. `each` may run statements
    /// of its own (PostgreSQL reads the rows first; see [`Conn::stream`] for big results).
    ///
    /// # Errors
    /// The database's error, or the first error `each` returns.
    pub fn each<'a>(
        &self,
        sql: &str,
        args: impl Into<Args<'a>>,
        each: &mut dyn FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        self.walk(sql, args.into(), false, each)
    }

    /// [`Conn::each`] without holding the rows: for results too big to keep (the whole audit
    /// log). `each` must not use the connection.
    ///
    /// # Errors
    /// The database's error, or the first error `each` returns.
    pub fn stream<'a>(
        &self,
        sql: &str,
        args: impl Into<Args<'a>>,
        each: &mut dyn FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        self.walk(sql, args.into(), true, each)
    }

    /// [`Conn::each`] and [`Conn::stream`]: SQLite steps through its rows either way.
    fn walk(
        &self,
        sql: &str,
        args: Args<'_>,
        streaming: bool,
        each: &mut dyn FnMut(&Row<'_>) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let (sql, args) = args.resolve(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(
                    args.iter().map(|a| Bound(a.value())),
                ))?;
                while let Some(r) = rows.next()? {
                    if !each(&Row::Sqlite(r))? {
                        break;
                    }
                }
                Ok(())
            }
            Conn::Pg(c) if streaming => c.stream(&sql, &args, each),
            Conn::Pg(c) => c.each(&sql, &args, each),
        }
    }

    /// Every row, read by `f`.
    ///
    /// # Errors
    /// The database's error, or the first error `f` returns.
    pub fn rows<'a, T>(
        &self,
        sql: &str,
        args: impl Into<Args<'a>>,
        mut f: impl FnMut(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, &mut |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row, if any, read by `f`.
    ///
    /// # Errors
    /// The database's error, or `f`'s.
    pub fn row<'a, T>(
        &self,
        sql: &str,
        args: impl Into<Args<'a>>,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, args, &mut |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// The first row, which must be there (an aggregate, a row just written).
    ///
    /// # Errors
    /// The database's error, `f`'s, or [`StoreError::Corrupt`] when there is no row.
    pub fn one<'a, T>(
        &self,
        sql: &str,
        args: impl Into<Args<'a>>,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.row(sql, args, f)?.ok_or_else(|| {
            StoreError::Corrupt("a query that always returns a row returned none".into())
        })
    }

    /// The first column of the row that must be there.
    ///
    /// # Errors
    /// As [`Conn::one`].
    pub fn value<'a, T: FromCell>(&self, sql: &str, args: impl Into<Args<'a>>) -> StoreResult<T> {
        self.one(sql, args, |r| r.get(0))
    }
}

/// A value as SQLite binds it.
struct Bound<'a>(Value<'a>);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match &self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}
