DROP TABLE {{table}}_items;
