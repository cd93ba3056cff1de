"""`onestop ocds export|validate`: Open Contracting Data Standard 1.1 packages from the command
line (P-22).

`export` streams a release package (or a record package) of every public tender and catalog
purchase to stdout or a file; memory stays flat however much data there is. `validate` checks a
package file against the official OCDS 1.1.5 schema shipped with OneStop (no network) and exits
with status 1 when it does not validate. Validation needs the `jsonschema` package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from onestop.procurement.ocds import SCHEMA_FILES, official_schema
from onestop.procurement.ocds import releases as ocds

SCHEMAS = {"releases": "release-package-schema.json", "records": "record-package-schema.json"}
MAX_ERRORS = 50


def validator_for(package: dict[str, Any]):
    """A draft-04 validator (with format checks) for the package's kind, resolving the schemas'
    `$ref` URLs to the local official files."""
    try:
        from jsonschema import Draft4Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4
    except ImportError as error:  # pragma: no cover - jsonschema is a development dependency
        raise CommandError(
            "Validation needs the jsonschema package: pip install jsonschema"
        ) from error
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in map(official_schema, SCHEMA_FILES)
    )
    kind = "records" if "records" in package else "releases"
    return Draft4Validator(
        official_schema(SCHEMAS[kind]),
        registry=registry,
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )


class Command(BaseCommand):
    help = "Export OCDS 1.1 release or record packages, or validate a package file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{export,validate}")
        export = sub.add_parser("export", help="Stream a package of all public data.")
        export.add_argument(
            "--output", "-o", default="-", help="File to write, or - for stdout (the default)."
        )
        export.add_argument(
            "--kind",
            choices=sorted(SCHEMAS),
            default="releases",
            help="A release package (default) or a record package with compiled releases.",
        )
        export.add_argument("--uri", default="", help="The package's URI (default: the API's).")
        export.add_argument("--chunk-size", type=int, default=ocds.CHUNK_SIZE)
        export.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        validate = sub.add_parser(
            "validate", help="Validate a package file against the official OCDS 1.1.5 schema."
        )
        validate.add_argument("file", help="A release or record package (JSON).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options)
        else:
            self.validate(options["file"])

    def export(self, options: dict[str, Any]) -> None:
        kind, output = options["kind"], options["output"]
        to_file = output != "-"
        bar = tqdm(
            unit=f" {kind}",
            desc=f"Exporting OCDS {kind}",
            disable=options["no_progress"] or not to_file,
            file=self.stderr,
        )
        stream = (
            ocds.iter_record_package_json if kind == "records" else ocds.iter_release_package_json
        )
        written = 0

        def progress() -> None:
            nonlocal written
            written += 1
            bar.update(1)

        chunks = stream(
            uri=options["uri"] or None, chunk_size=options["chunk_size"], progress=progress
        )
        if not to_file:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.write("")
            return
        with Path(output).open("w", encoding="utf-8") as file:
            for chunk in chunks:
                file.write(chunk)
            file.write("\n")
        bar.close()
        self.stderr.write(f"Wrote {written} {kind} to {output}")

    def validate(self, file: str) -> None:
        try:
            package = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not JSON: {error}") from error
        if not isinstance(package, dict):
            raise CommandError(f"{file} is not an OCDS package (a JSON object).")
        errors = sorted(
            validator_for(package).iter_errors(package),
            key=lambda e: [str(part) for part in e.absolute_path],
        )
        if not errors:
            self.stdout.write(self.style.SUCCESS(f"{file}: valid OCDS 1.1 package"))
            return
        for error in errors[:MAX_ERRORS]:
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            self.stdout.write(f"{where}: {error.message}")
        if len(errors) > MAX_ERRORS:
            self.stdout.write(f"... and {len(errors) - MAX_ERRORS} more")
        raise CommandError(f"{file}: {len(errors)} errors against the OCDS 1.1.5 schema")
