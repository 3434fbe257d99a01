DROP TABLE module_packages;
