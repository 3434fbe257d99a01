//! A collection's values between JSON and the database: checked against their
//! field's type on the way in, read back as that type on the way out.

use gantry_sdk::{CollectionField, FieldType};
use serde_json::Value;
use sqlx::{any::AnyRow, Row};

/// The largest text value, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// A checked value, ready to bind.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    Text(Option<String>),
    Integer(Option<i64>),
    Number(Option<f64>),
    Boolean(Option<bool>),
}

impl Bound {
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Bound::Text(None) | Bound::Integer(None) | Bound::Number(None) | Bound::Boolean(None)
        )
    }

    /// Whether it is missing or only white space (for required fields).
    pub fn is_blank(&self) -> bool {
        match self {
            Bound::Text(Some(text)) => text.trim().is_empty(),
            other => other.is_null(),
        }
    }

    /// `query` with this value bound as its next parameter.
    pub fn bind_to<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        match self.clone() {
            Bound::Text(v) => query.bind(v),
            Bound::Integer(v) => query.bind(v),
            Bound::Number(v) => query.bind(v),
            Bound::Boolean(v) => query.bind(v),
        }
    }
}

/// `value` for `field`, or what is wrong with it (a sentence naming the field).
pub fn check(field: &CollectionField, value: &Value) -> Result<Bound, String> {
    let name = field.name();
    let kind = field.kind();
    let wrong = |expected: &str| format!("`{name}` must be {expected} or null");
    Ok(match (kind, value) {
        (FieldType::Text | FieldType::Url | FieldType::OneOf, Value::Null) => Bound::Text(None),
        (FieldType::Integer | FieldType::Timestamp, Value::Null) => Bound::Integer(None),
        (FieldType::Number, Value::Null) => Bound::Number(None),
        (FieldType::Boolean, Value::Null) => Bound::Boolean(None),
        (FieldType::Text, Value::String(text)) => Bound::Text(Some(checked_text(name, text)?)),
        (FieldType::Url, Value::String(text)) => {
            let text = checked_text(name, text)?;
            let is_web = reqwest::Url::parse(&text)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
            if !is_web {
                return Err(format!("`{name}` must be an http:// or https:// address"));
            }
            Bound::Text(Some(text))
        }
        (FieldType::OneOf, Value::String(text)) => {
            if !field.allowed_values().contains(text) {
                return Err(format!(
                    "`{name}` must be one of {}",
                    field.allowed_values().join(", ")
                ));
            }
            Bound::Text(Some(text.clone()))
        }
        (FieldType::Integer, Value::Number(n)) => {
            Bound::Integer(Some(n.as_i64().ok_or_else(|| wrong("a whole number"))?))
        }
        (FieldType::Timestamp, Value::Number(n)) => Bound::Integer(Some(
            n.as_i64().ok_or_else(|| wrong("a time in Unix seconds"))?,
        )),
        (FieldType::Number, Value::Number(n)) => {
            Bound::Number(Some(n.as_f64().ok_or_else(|| wrong("a number"))?))
        }
        (FieldType::Boolean, Value::Bool(b)) => Bound::Boolean(Some(*b)),
        (FieldType::Text | FieldType::Url | FieldType::OneOf, _) => return Err(wrong("text")),
        (FieldType::Integer, _) => return Err(wrong("a whole number")),
        (FieldType::Timestamp, _) => return Err(wrong("a time in Unix seconds")),
        (FieldType::Number, _) => return Err(wrong("a number")),
        (FieldType::Boolean, _) => return Err(wrong("true or false")),
    })
}

fn checked_text(name: &str, text: &str) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "`{name}` is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    Ok(text.to_owned())
}

/// A `?field=value` filter's value for `field`, parsed from the query string.
pub fn parse_filter(field: &CollectionField, text: &str) -> Result<Bound, String> {
    let value = match field.kind() {
        FieldType::Text | FieldType::Url | FieldType::OneOf => Value::String(text.to_owned()),
        FieldType::Integer | FieldType::Timestamp | FieldType::Number => {
            serde_json::from_str::<serde_json::Number>(text)
                .map(Value::Number)
                .unwrap_or(Value::String(text.to_owned()))
        }
        FieldType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
    };
    match check(field, &value) {
        // Any stored text may be filtered for, whatever the rules of new values.
        Err(_) if matches!(field.kind(), FieldType::Url | FieldType::OneOf) => {
            Ok(Bound::Text(Some(text.to_owned())))
        }
        other => other,
    }
}

/// The value of `field`'s column in `row`, as JSON.
pub fn read(field: &CollectionField, row: &AnyRow) -> Result<Value, sqlx::Error> {
    let column = field.name();
    Ok(match field.kind() {
        FieldType::Text | FieldType::Url | FieldType::OneOf => row
            .try_get::<Option<String>, _>(column)?
            .map_or(Value::Null, Value::String),
        FieldType::Integer | FieldType::Timestamp => row
            .try_get::<Option<i64>, _>(column)?
            .map_or(Value::Null, Value::from),
        // SQLite keeps a whole number put in a REAL column as an integer when the
        // column has no type of its own.
        FieldType::Number => match row.try_get::<Option<f64>, _>(column) {
            Ok(value) => value.map_or(Value::Null, Value::from),
            Err(_) => row
                .try_get::<Option<i64>, _>(column)?
                .map_or(Value::Null, |n| Value::from(n as f64)),
        },
        // SQLite has no booleans: 0 and 1.
        FieldType::Boolean => match row.try_get::<Option<bool>, _>(column) {
            Ok(value) => value.map_or(Value::Null, Value::Bool),
            Err(_) => row
                .try_get::<Option<i64>, _>(column)?
                .map_or(Value::Null, |n| Value::Bool(n != 0)),
        },
    })
}
