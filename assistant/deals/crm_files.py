"""Writing and reading a CRM export as JSON (one file) or CSV (one file per object), losslessly.

CSV cells are neutralised against formula injection by `assistant.csv_cells` (the one guard every CSV
export uses), reversibly: reading strips exactly the quote writing added. Buyer words reach these files:
they are untrusted.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from assistant.csv_cells import csv_safe, csv_unsafe
from assistant.deals.crm_export import COLUMNS, OBJECTS, CrmExport

FORMAT = "lastmile-crm/1"
JSON_FILE = "lastmile-crm.json"
__all__ = ["csv_safe", "csv_unsafe", "read_csv", "read_json", "write_csv", "write_json"]


def write_json(export: CrmExport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / JSON_FILE
    data = {"format": FORMAT} | {name: export.rows(name) for name in OBJECTS}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def read_json(folder: Path) -> CrmExport:
    data = json.loads((folder / JSON_FILE).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{folder / JSON_FILE} is not a {FORMAT} export")
    return CrmExport(**{name: data[name] for name in OBJECTS})


def write_csv(export: CrmExport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in OBJECTS:
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name], quoting=csv.QUOTE_ALL)
            writer.writeheader()
            for row in export.rows(name):
                writer.writerow({column: csv_safe(row.get(column, "")) for column in COLUMNS[name]})
        paths.append(path)
    return paths


def read_csv(folder: Path) -> CrmExport:
    objects = {}
    for name in OBJECTS:
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            objects[name] = [{k: csv_unsafe(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    return CrmExport(**objects)
