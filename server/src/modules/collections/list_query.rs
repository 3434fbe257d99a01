//! A collection listing's query string: `?q=…&page=…&per_page=…&sort=[-]field` and
//! exact `field=value` filters on declared fields. Anything else is refused.

use gantry_sdk::Collection;

use super::values::{self, Bound};

/// How a listing is asked for, checked against the collection.
#[derive(Debug, Default)]
pub struct ListQuery {
    /// Words that must each appear in one of the searched fields.
    pub q: String,
    /// From 0.
    pub page: u32,
    /// 1 to 200 (50 when not given).
    pub per_page: u32,
    /// The column to sort by and whether descending; newest change first when none.
    pub sort: Option<(String, bool)>,
    /// Fields and the value each must equal.
    pub filters: Vec<(String, Bound)>,
}

/// A query parameter that is wrong: its name and what is wrong.
pub struct BadParameter {
    pub name: String,
    pub problem: String,
}

/// Columns every item has, which may be sorted by too.
const HOST_COLUMNS: &[&str] = &["id", "created_at", "updated_at"];

impl ListQuery {
    /// `pairs` (the decoded query string) for `collection`.
    pub fn parse(
        collection: &Collection,
        pairs: Vec<(String, String)>,
    ) -> Result<Self, BadParameter> {
        let mut query = ListQuery {
            per_page: 50,
            ..ListQuery::default()
        };
        for (name, value) in pairs {
            let bad = |problem: String| BadParameter {
                name: name.clone(),
                problem,
            };
            let number = |value: &str| {
                value
                    .parse::<u32>()
                    .map_err(|_| bad(format!("`{name}` must be a whole number from 0")))
            };
            match name.as_str() {
                "q" => query.q = value,
                "page" => query.page = number(&value)?,
                "per_page" => query.per_page = number(&value)?.clamp(1, 200),
                "sort" => {
                    let (column, descending) = match value.strip_prefix('-') {
                        Some(column) => (column, true),
                        None => (value.as_str(), false),
                    };
                    if collection.field(column).is_none() && !HOST_COLUMNS.contains(&column) {
                        return Err(bad(format!(
                            "cannot sort by `{column}`: it is not a field of collection `{}`",
                            collection.name
                        )));
                    }
                    query.sort = Some((column.to_owned(), descending));
                }
                _ => {
                    let field = collection.field(&name).ok_or_else(|| {
                        bad(format!(
                            "`{name}` is neither a field of collection `{}` nor one of q, page, per_page, sort",
                            collection.name
                        ))
                    })?;
                    let bound = values::parse_filter(field, &value).map_err(bad)?;
                    query.filters.push((name.clone(), bound));
                }
            }
        }
        Ok(query)
    }
}
