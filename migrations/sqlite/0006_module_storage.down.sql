DROP TABLE module_storage;
