//! Building blocks of the shell, one component per file.

pub mod confirm_dialog;
pub mod form_problem;
pub mod header;
pub mod host_tabs_page;
pub mod icon;
pub mod module_component;
pub mod module_settings_form;
pub mod sidebar;
pub mod theme_switch;
pub mod toast_stack;
