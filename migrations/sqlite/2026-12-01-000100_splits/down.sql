DROP TABLE split_placeholders;
DROP TABLE settlements;
DROP TABLE split_shares;
DROP TABLE splits;
