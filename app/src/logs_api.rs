//! The JSON of Admin → Logs (`/api/admin/logs`), shared by the server that keeps the
//! lines and the page that shows them.

use serde::{Deserialize, Serialize};

/// One line of the server's log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Counts up from 1 since the server started.
    pub id: u64,
    /// Unix milliseconds.
    pub at_ms: i64,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// Where it was logged (the Rust module path).
    pub target: String,
    /// The Gantry module it is about (its `module` field), if any.
    pub module: Option<String>,
    /// The message, followed by its other fields as `key=value`.
    pub message: String,
}

/// `?level=…&module=…` of both log routes: the lines at `level` or more severe, about
/// `module` (`host` for the lines about no module).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub module: Option<String>,
}

/// How severe a level is: `ERROR` 4 down to `TRACE` 0; `None` for an unknown name.
pub fn severity(level: &str) -> Option<u8> {
    match level.to_ascii_uppercase().as_str() {
        "ERROR" => Some(4),
        "WARN" => Some(3),
        "INFO" => Some(2),
        "DEBUG" => Some(1),
        "TRACE" => Some(0),
        _ => None,
    }
}

impl LogQuery {
    /// Whether `line` passes the filter (an unknown level lets everything through:
    /// the server refuses it before).
    pub fn matches(&self, line: &LogLine) -> bool {
        let least = self.level.as_deref().and_then(severity).unwrap_or(0);
        let severe_enough = severity(&line.level).unwrap_or(0) >= least;
        let about = match self.module.as_deref().map(str::trim) {
            None | Some("") => true,
            Some("host") => line.module.is_none(),
            Some(name) => line.module.as_deref() == Some(name),
        };
        severe_enough && about
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(level: &str, module: Option<&str>) -> LogLine {
        LogLine {
            id: 1,
            at_ms: 0,
            level: level.into(),
            target: "t".into(),
            module: module.map(Into::into),
            message: "m".into(),
        }
    }

    #[test]
    fn a_query_keeps_lines_at_its_level_or_worse_about_its_module() {
        let warn = LogQuery {
            level: Some("warn".into()),
            module: None,
        };
        assert!(warn.matches(&line("ERROR", None)));
        assert!(warn.matches(&line("WARN", Some("hello"))));
        assert!(!warn.matches(&line("INFO", None)));
        let hello = LogQuery {
            level: None,
            module: Some("hello".into()),
        };
        assert!(hello.matches(&line("DEBUG", Some("hello"))));
        assert!(!hello.matches(&line("ERROR", Some("forge"))));
        assert!(!hello.matches(&line("ERROR", None)));
        let host = LogQuery {
            level: None,
            module: Some("host".into()),
        };
        assert!(host.matches(&line("INFO", None)));
        assert!(!host.matches(&line("INFO", Some("hello"))));
    }
}
