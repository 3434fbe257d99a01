DROP TABLE module_disabled;
