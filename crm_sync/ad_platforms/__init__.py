"""What every ad platform importer shares: the reported row, the one upsert, import history."""
