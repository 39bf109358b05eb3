"""Import and export: deals in from a CRM's or a spreadsheet's table (CSV, XLSX),
and the pipeline out as tables for BI tools (CSV, JSON, SQLite, Parquet).

``table`` reads a file into rows of cells, ``values`` reads dates and amounts as
people write them, ``presets`` knows the column names of the common CRMs'
exports, ``plan`` turns rows into the deals to create or change (pure: no file is
written), ``emit`` writes a new deal file fast, ``apply`` writes what the plan
says, ``export`` lays the deals out as tables. Heavy libraries (openpyxl,
pyarrow) are imported only by the functions that need them.
"""
