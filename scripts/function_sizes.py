"""Zips every built function (target/lambda/<fn>/bootstrap) as Lambda receives it, prints the sizes, and fails
when one is over the limit.

    python3 scripts/function_sizes.py [dir] [--limit BYTES] [--only fn,fn] [--largest N]

--limit      the budget in bytes, zipped (4,000,000 by default: CI's guard on its no-LTO build)
--only       check these functions alone (the deployment-profile build of the largest)
--largest N  print the names of the N largest, zipped, comma-separated, and check nothing"""
import argparse
import io
import pathlib
import sys
import zipfile


def zipped_size(path: pathlib.Path) -> int:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, "bootstrap")
    return buf.tell()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", default="target/lambda")
    parser.add_argument("--limit", type=int, default=4 * 1000 * 1000)
    parser.add_argument("--only", default="")
    parser.add_argument("--largest", type=int, default=0)
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    only = {f for f in args.only.split(",") if f}
    binaries = sorted(p for p in root.glob("*/bootstrap") if not only or p.parent.name in only)
    if not binaries or (only and len(binaries) != len(only)):
        print(f"no built functions under {root} ({args.only or 'all'}): run `make build` first", file=sys.stderr)
        return 1
    sizes = [(p.parent.name, p.stat().st_size, zipped_size(p)) for p in binaries]
    if args.largest:
        print(",".join(name for name, _, _ in sorted(sizes, key=lambda s: -s[2])[: args.largest]))
        return 0
    print(f"{'function':<44} {'binary':>11} {'zipped':>11}   (limit {args.limit:,} zipped)")
    for name, binary, zipped in sizes:
        print(f"{name:<44} {binary:>11,} {zipped:>11,}")
    smallest, largest = min(sizes, key=lambda s: s[2]), max(sizes, key=lambda s: s[2])
    print(f"{len(sizes)} functions: {smallest[2]:,} ({smallest[0]}) to {largest[2]:,} ({largest[0]}) bytes zipped")
    over = [name for name, _, zipped in sizes if zipped >= args.limit]
    if over:
        print(f"over {args.limit:,} bytes zipped: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
