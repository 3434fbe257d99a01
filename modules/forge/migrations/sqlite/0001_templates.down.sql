DROP TABLE forge_templates;
