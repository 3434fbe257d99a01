//! Refusing module migrations that reach outside the module's own tables.
//!
//! A small scanner, not a SQL parser: it finds every object a statement creates,
//! alters, drops or writes to, and checks its name against the module's prefix.

/// A statement that names an object outside the module's prefix, or is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The statement, shortened for messages.
    pub statement: String,
    /// What is wrong with it.
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A bare word (keyword or unquoted name): upper-cased, then as written.
    Word(String, String),
    /// A quoted identifier, as written between the quotes.
    Quoted(String),
    Other,
}

/// Statements that no module migration may run.
const FORBIDDEN: &[&str] = &["ATTACH", "DETACH", "PRAGMA", "VACUUM", "GRANT", "REVOKE"];
/// Kinds of object a `CREATE`/`DROP` may name.
const OBJECTS: &[&str] = &[
    "TABLE", "INDEX", "VIEW", "TRIGGER", "SEQUENCE", "TYPE", "FUNCTION", "SCHEMA",
];

/// Checks that every statement of `sql` touches only objects named `prefix…`.
pub fn check(sql: &str, prefix: &str) -> Result<(), Violation> {
    for (text, tokens) in statements(sql) {
        let violation = |problem: String| Violation {
            statement: shorten(&text),
            problem,
        };
        if let Some(Token::Word(first, _)) = tokens.first() {
            if FORBIDDEN.contains(&first.as_str()) {
                return Err(violation(format!(
                    "`{first}` is not allowed in module migrations"
                )));
            }
        }
        for name in touched_objects(&tokens) {
            if !name.to_ascii_lowercase().starts_with(prefix) {
                return Err(violation(format!(
                    "it touches `{name}`, which is not named `{prefix}…`"
                )));
            }
        }
    }
    Ok(())
}

/// The names a statement creates, alters, drops or writes to.
fn touched_objects(tokens: &[Token]) -> Vec<String> {
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(w, _)) => w.as_str(),
        _ => "",
    };
    let mut names = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let name_at = |mut j: usize, skip: &[&str]| -> (Option<String>, usize) {
            while skip.contains(&word(j)) {
                j += 1;
            }
            (object_name(tokens.get(j)), j + 1)
        };
        match word(i) {
            "CREATE" => {
                let mut j = i + 1;
                while [
                    "OR",
                    "REPLACE",
                    "UNIQUE",
                    "TEMP",
                    "TEMPORARY",
                    "VIRTUAL",
                    "MATERIALIZED",
                ]
                .contains(&word(j))
                {
                    j += 1;
                }
                if OBJECTS.contains(&word(j)) {
                    let kind = word(j);
                    let (name, next) = name_at(j + 1, &["IF", "NOT", "EXISTS", "CONCURRENTLY"]);
                    names.extend(name);
                    if kind == "INDEX" || kind == "TRIGGER" {
                        // The table an index or trigger is on.
                        if let Some(on) = (next..tokens.len()).find(|&k| word(k) == "ON") {
                            names.extend(name_at(on + 1, &["ONLY"]).0);
                        }
                    }
                    i = next;
                    continue;
                }
            }
            "ALTER" if word(i + 1) == "TABLE" => {
                let (name, next) = name_at(i + 2, &["IF", "EXISTS", "ONLY"]);
                names.extend(name);
                i = next;
                continue;
            }
            "RENAME" if word(i + 1) == "TO" => {
                names.extend(object_name(tokens.get(i + 2)));
            }
            "DROP" if OBJECTS.contains(&word(i + 1)) => {
                let (name, mut next) = name_at(i + 2, &["IF", "EXISTS", "CONCURRENTLY"]);
                names.extend(name);
                // `DROP TABLE a, b`
                while matches!(tokens.get(next), Some(Token::Other)) {
                    names.extend(object_name(tokens.get(next + 1)));
                    next += 2;
                }
                i = next;
                continue;
            }
            "INTO"
                if i > 0
                    && ["INSERT", "REPLACE", "IGNORE", "ABORT", "FAIL", "ROLLBACK"]
                        .contains(&word(i - 1)) =>
            {
                names.extend(object_name(tokens.get(i + 1)));
            }
            // Not `ON UPDATE`, `FOR UPDATE`, an upsert's `DO UPDATE SET` (of the table
            // inserted into) or a trigger's `UPDATE ON`/`UPDATE OF`.
            "UPDATE"
                if !matches!(word(i.wrapping_sub(1)), "ON" | "FOR" | "DO")
                    && !matches!(word(i + 1), "ON" | "OF") =>
            {
                let (name, _) = name_at(
                    i + 1,
                    &[
                        "OR", "ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE", "ONLY",
                    ],
                );
                names.extend(name);
            }
            "DELETE" if word(i + 1) == "FROM" => {
                names.extend(name_at(i + 2, &["ONLY"]).0);
            }
            "TRUNCATE" => {
                names.extend(name_at(i + 1, &["TABLE", "ONLY"]).0);
            }
            _ => {}
        }
        i += 1;
    }
    names
}

/// An object name, without its schema (`main.x` and `public.x` name `x`).
fn object_name(token: Option<&Token>) -> Option<String> {
    let name = match token? {
        Token::Word(_, raw) => raw.clone(),
        Token::Quoted(q) => q.clone(),
        _ => return None,
    };
    Some(name.rsplit('.').next().unwrap_or_default().to_owned())
}

/// Splits `sql` into statements: the original text of each and its tokens.
fn statements(sql: &str) -> Vec<(String, Vec<Token>)> {
    let mut out = Vec::new();
    let mut tokens = Vec::new();
    let mut start = 0;
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                tokens.push(Token::Other);
                continue;
            }
            b'"' | b'`' | b'[' => {
                let close = if c == b'[' { b']' } else { c };
                let end = skip_quoted(bytes, i, close);
                let inner = &sql[i + 1..end.saturating_sub(1).max(i + 1)];
                tokens.push(Token::Quoted(inner.replace("\"\"", "\"")));
                i = end;
                continue;
            }
            b';' => {
                if !tokens.is_empty() {
                    out.push((sql[start..i].trim().to_owned(), std::mem::take(&mut tokens)));
                }
                start = i + 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'.' => {
                let begin = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'$' | b'.'))
                {
                    i += 1;
                }
                let raw = &sql[begin..i];
                tokens.push(Token::Word(raw.to_ascii_uppercase(), raw.to_owned()));
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => tokens.push(Token::Other),
        }
        i += 1;
    }
    if !tokens.is_empty() {
        out.push((sql[start..].trim().to_owned(), tokens));
    }
    out
}

/// The index just past the closing `close` of the quote opened at `open`
/// (a doubled `close` is an escaped one).
fn skip_quoted(bytes: &[u8], open: usize, close: u8) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == close {
            if bytes.get(i + 1) == Some(&close) && close != b']' {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn shorten(statement: &str) -> String {
    let one_line = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        format!("{}…", one_line.chars().take(120).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn allowed(sql: &str) {
        assert_eq!(check(sql, "notes_"), Ok(()), "{sql}");
    }

    #[track_caller]
    fn refused(sql: &str, problem: &str) {
        let err = check(sql, "notes_").expect_err(sql);
        assert_eq!(err.problem, problem, "{sql}");
    }

    #[test]
    fn the_modules_own_objects_are_allowed() {
        allowed("CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'users');");
        allowed("CREATE TABLE IF NOT EXISTS \"notes_tags\" (id TEXT); CREATE UNIQUE INDEX notes_tags_id ON notes_tags (id);");
        allowed("ALTER TABLE notes_items ADD COLUMN owner TEXT REFERENCES users(id)");
        allowed("INSERT INTO notes_items (body) VALUES ('DELETE FROM users')");
        allowed("INSERT INTO notes_items (id, body) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET body = excluded.body");
        allowed("-- DROP TABLE users;\nDROP TABLE IF EXISTS notes_items, notes_tags");
        allowed("CREATE VIEW notes_recent AS SELECT * FROM notes_items /* UPDATE users */");
        allowed("UPDATE notes_items SET body = 'x' WHERE id IN (SELECT id FROM instance_settings)");
        allowed("CREATE TRIGGER notes_touch AFTER UPDATE ON notes_items BEGIN UPDATE notes_items SET body = body; END");
        allowed("CREATE TABLE main.notes_x (id INTEGER)");
        allowed("");
    }

    #[test]
    fn anything_else_is_refused() {
        let outside = |name: &str| format!("it touches `{name}`, which is not named `notes_…`");
        refused("CREATE TABLE users (id INTEGER)", &outside("users"));
        refused("create table \"Users\" (id integer)", &outside("Users"));
        refused(
            "CREATE INDEX notes_idx ON instance_settings (key)",
            &outside("instance_settings"),
        );
        refused(
            "ALTER TABLE instance_settings ADD COLUMN x TEXT",
            &outside("instance_settings"),
        );
        refused("ALTER TABLE notes_items RENAME TO items", &outside("items"));
        refused("DROP TABLE notes_items, users", &outside("users"));
        refused("DROP VIEW IF EXISTS other_view", &outside("other_view"));
        refused(
            "INSERT INTO instance_settings VALUES ('a', 'b')",
            &outside("instance_settings"),
        );
        refused(
            "INSERT OR REPLACE INTO _sqlx_migrations VALUES (1)",
            &outside("_sqlx_migrations"),
        );
        refused(
            "UPDATE instance_settings SET value = 'x'",
            &outside("instance_settings"),
        );
        refused(
            "DELETE FROM _gantry_migrations_other",
            &outside("_gantry_migrations_other"),
        );
        refused("TRUNCATE TABLE users", &outside("users"));
        refused(
            "CREATE TABLE notes_a (id INT); CREATE TABLE notesbad (id INT)",
            &outside("notesbad"),
        );
        refused(
            "PRAGMA writable_schema = ON",
            "`PRAGMA` is not allowed in module migrations",
        );
        refused(
            "ATTACH DATABASE 'x.db' AS x",
            "`ATTACH` is not allowed in module migrations",
        );
    }

    #[test]
    fn the_statement_is_named_in_the_violation() {
        let err = check(
            "CREATE TABLE notes_ok (id INT);\n  DROP   TABLE users;",
            "notes_",
        )
        .unwrap_err();
        assert_eq!(err.statement, "DROP TABLE users");
    }
}
