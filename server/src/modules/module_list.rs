//! `GET /api/modules`'s answer, made once per change of the modules' states for
//! administrators and once for everyone else: it depends on nothing more (see
//! [`super::ModuleEntry::info_for`]), and building it is most of that request's cost.

use std::sync::{PoisonError, RwLock};

use axum::body::Bytes;

/// The JSON lists made since the last change.
#[derive(Debug, Default)]
pub struct ModuleListCache {
    made: RwLock<Made>,
}

#[derive(Debug, Default)]
struct Made {
    /// The registry's change count the lists were made at.
    version: u64,
    for_admins: Option<Bytes>,
    for_users: Option<Bytes>,
}

impl ModuleListCache {
    /// The list for administrators or not as of change `version`, made by `make`
    /// (which must read the modules as they are at `version` or later) when it was
    /// not made yet.
    pub fn get_or_make(&self, version: u64, is_admin: bool, make: impl FnOnce() -> Bytes) -> Bytes {
        {
            let made = self.made.read().unwrap_or_else(PoisonError::into_inner);
            let list = if is_admin {
                &made.for_admins
            } else {
                &made.for_users
            };
            if let (true, Some(list)) = (made.version == version, list) {
                return list.clone();
            }
        }
        let list = make();
        let mut made = self.made.write().unwrap_or_else(PoisonError::into_inner);
        if made.version > version {
            // Made for a later change meanwhile: keep that.
            return list;
        }
        if made.version != version {
            *made = Made {
                version,
                ..Made::default()
            };
        }
        let slot = if is_admin {
            &mut made.for_admins
        } else {
            &mut made.for_users
        };
        *slot = Some(list.clone());
        list
    }

    /// Forgets every list (the modules changed before the count was shared).
    pub fn clear(&mut self) {
        *self.made.get_mut().unwrap_or_else(PoisonError::into_inner) = Made::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_made_once_per_change_and_kind_of_user() {
        let cache = ModuleListCache::default();
        let made = std::cell::Cell::new(0);
        let make = |text: &'static str| {
            made.set(made.get() + 1);
            Bytes::from_static(text.as_bytes())
        };
        assert_eq!(cache.get_or_make(0, true, || make("admins 0")), "admins 0");
        assert_eq!(cache.get_or_make(0, false, || make("users 0")), "users 0");
        assert_eq!(cache.get_or_make(0, true, || make("again")), "admins 0");
        assert_eq!(made.get(), 2);
        assert_eq!(cache.get_or_make(1, true, || make("admins 1")), "admins 1");
        assert_eq!(cache.get_or_make(1, false, || make("users 1")), "users 1");
        // A request that read the count before the change does not undo the newer list.
        assert_eq!(
            cache.get_or_make(0, false, || make("users 0, late")),
            "users 0, late"
        );
        assert_eq!(cache.get_or_make(1, false, || make("again")), "users 1");
        assert_eq!(made.get(), 5);
    }
}
