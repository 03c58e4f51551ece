DROP TABLE recurring_entries;
