//! Building blocks of the shell, one component per file.

pub mod header;
pub mod icon;
pub mod sidebar;
pub mod theme_switch;
