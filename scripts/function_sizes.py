"""Zips every built function (target/lambda/<fn>/bootstrap) as Lambda receives it, prints the sizes, and fails
when one is over the limit (4 MB by default)."""
import io
import pathlib
import sys
import zipfile

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/lambda")
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 4 * 1000 * 1000
binaries = sorted(root.glob("*/bootstrap"))
if not binaries:
    print(f"no functions under {root}: run `make build` first", file=sys.stderr)
    sys.exit(1)
over = []
print(f"{'function':<28} {'binary':>10} {'zipped':>10}")
for path in binaries:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, "bootstrap")
    zipped = buf.tell()
    print(f"{path.parent.name:<28} {path.stat().st_size:>10,} {zipped:>10,}")
    if zipped >= limit:
        over.append(path.parent.name)
if over:
    print(f"over {limit:,} bytes zipped: {', '.join(over)}", file=sys.stderr)
    sys.exit(1)
