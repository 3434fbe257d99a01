//! Which date group a conversation falls in (pinned, today, yesterday, the last
//! seven days, older), by the viewer's local days.

/// A group of the conversation list, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateGroup {
    Pinned,
    Today,
    Yesterday,
    LastWeek,
    Older,
}

impl DateGroup {
    pub fn label(self) -> &'static str {
        match self {
            DateGroup::Pinned => "Pinned",
            DateGroup::Today => "Today",
            DateGroup::Yesterday => "Yesterday",
            DateGroup::LastWeek => "Last 7 days",
            DateGroup::Older => "Older",
        }
    }
}

/// The group of a conversation updated at `updated_at`, seen at `now` (both Unix
/// seconds) by someone `offset_secs` east of UTC.
pub fn group_of(pinned: bool, updated_at: i64, now: i64, offset_secs: i64) -> DateGroup {
    if pinned {
        return DateGroup::Pinned;
    }
    let day = |t: i64| (t + offset_secs).div_euclid(86_400);
    match day(now) - day(updated_at) {
        i64::MIN..=0 => DateGroup::Today,
        1 => DateGroup::Yesterday,
        2..=7 => DateGroup::LastWeek,
        _ => DateGroup::Older,
    }
}

/// Now and the viewer's offset from UTC (in the browser; UTC on the server).
pub fn now_and_offset() -> (i64, i64) {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new_0();
        (
            (date.get_time() / 1000.0) as i64,
            -(date.get_timezone_offset() as i64) * 60,
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        (now, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_local_days() {
        let day = 86_400;
        // 2026-12-01 00:30 UTC, seen from UTC+2 (02:30 local).
        let now = 20_423 * day + 1800;
        let east = 2 * 3600;
        assert_eq!(group_of(false, now - 60, now, east), DateGroup::Today);
        // 23:00 UTC the day before is 01:00 today locally.
        assert_eq!(group_of(false, now - 5400, now, east), DateGroup::Today);
        // …but yesterday in UTC.
        assert_eq!(group_of(false, now - 5400, now, 0), DateGroup::Yesterday);
        assert_eq!(
            group_of(false, now - 3 * day, now, east),
            DateGroup::LastWeek
        );
        assert_eq!(group_of(false, now - 30 * day, now, east), DateGroup::Older);
        assert_eq!(group_of(true, now - 30 * day, now, east), DateGroup::Pinned);
    }
}
