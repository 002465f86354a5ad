"""LL401, LL402, LL406-LL408: is the archive itself sound and safe to unpack?"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Iterator

from ..layer import Layer
from ..limits import bomb_reason
from ..registry import Context, Hit, Rule
from ..source import Entry

# Findings that would repeat per member list this many examples and a count.
_EXAMPLES = 10


def check_corrupt_member(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for path, reason in layer.unlisted:
        yield Hit(
            path=path,
            message=f"{path} cannot be read: {reason}",
            fix="Make every file of the layer folder a readable regular file, folder or symlink (chmod -R u+rX), then lint again.",
            targets=ctx.targets,
            data={"member": path, "reason": reason},
        )
    by_index = {entry.index: entry for entry in layer.entries}
    for index, reason in sorted(layer.scan.errors.items()):
        entry = by_index[index]
        yield Hit(
            path=entry.path,
            message=f"{entry.path} cannot be unpacked: {reason}",
            fix="Rebuild the zip from the original files; if it was downloaded or copied, fetch it again and compare checksums.",
            targets=ctx.targets,
            data={"member": entry.path, "reason": reason, "declared_bytes": entry.size, "crc": f"{entry.crc:08x}" if entry.crc is not None else None},
        )


def check_unsafe_path(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for entry in layer.entries:
        reasons = layer.unsafe_names.get(entry.index)
        if not reasons:
            continue
        name = entry.raw_name if entry.raw_name is not None else entry.path  # the name unsafe_names judged
        fix = "Build the zip from inside the layer folder with relative, '/'-separated names (cd layer && zip -r ../layer.zip .)."
        if "\\" in name:
            fix += " On Windows, use a tool that writes '/' separators (Python's zipfile, 7-Zip, or PowerShell 7's Compress-Archive)."
        yield Hit(
            path=name,
            message=f"member name {name!r} {' and '.join(reasons)}; unzip refuses or mangles it, and it is not a file under /opt",
            fix=fix,
            targets=ctx.targets,
            data={"member": name, "problems": reasons},
        )


def check_duplicate_member(layer: Layer, ctx: Context) -> Iterator[Hit]:
    by_path: dict[str, list[Entry]] = defaultdict(list)
    for entry in layer.entries:
        by_path[entry.path].append(entry)
    # Only repeated names are sorted: a layer of 10,000 members has a handful at most.
    repeated = [(path, entries) for path, entries in by_path.items() if len(entries) > 1 and not all(e.is_dir for e in entries)]
    for path, entries in sorted(repeated):
        copies = ", ".join(f"#{e.index + 1} ({'folder' if e.is_dir else f'{e.size:,} bytes'})" for e in entries)
        yield Hit(
            path=path,
            message=f"{path} is in the archive {len(entries)} times (members {copies}); which copy Lambda keeps is not defined",
            fix="Rebuild the zip from a clean folder; do not append to an existing zip (zip -r on an old zip, or a zipfile opened with mode 'a').",
            targets=ctx.targets,
            data={"member": path, "copies": [{"index": e.index, "bytes": e.size, "crc": e.crc} for e in entries]},
        )
    # Each name's folded form, and a set only for the forms that more than one name shares.
    first: dict[str, str] = {}
    shared: dict[str, set[str]] = {}
    for path in by_path:
        key = unicodedata.normalize("NFC", path).casefold()
        other = first.setdefault(key, path)
        if other != path:
            shared.setdefault(key, {other}).add(path)
    for names in sorted(shared.values(), key=sorted):
        listed = sorted(names)
        yield Hit(
            path=listed[0],
            message=f"names that differ only by letter case or Unicode normalisation: {', '.join(repr(n) for n in listed)}; "
            "they are distinct files on Lambda but collide when unpacked on macOS or Windows",
            fix="Rename one of them so that the names differ in more than case or normalisation.",
            targets=ctx.targets,
            data={"members": listed},
            severity="info",
        )


def check_zip_bomb(layer: Layer, ctx: Context) -> Iterator[Hit]:
    limits = layer.limits
    fix = "Do not deploy this archive; rebuild the layer from its sources. If a member really is this large, raise the limit (see `layer-lint explain LL407`)."
    for entry in layer.entries:
        if not entry.is_file:
            continue
        reason = bomb_reason(entry, limits)
        if reason is not None:
            yield Hit(
                path=entry.path,
                message=f"{entry.path} {reason}; layer-lint did not decompress it",
                fix=fix,
                targets=ctx.targets,
                data={"member": entry.path, "declared_bytes": entry.size, "compressed_bytes": entry.compressed_size},
            )
    if layer.unzipped_bytes > limits.total_bytes:
        yield Hit(
            path=None,
            message=(
                f"the members declare {layer.unzipped_bytes:,} bytes unzipped in all, over the {limits.total_bytes:,}-byte "
                f"limit; layer-lint stopped decompressing at that limit"
            ),
            fix=fix,
            targets=ctx.targets,
            data={"declared_bytes": layer.unzipped_bytes, "limit": limits.total_bytes},
        )


def check_encrypted_member(layer: Layer, ctx: Context) -> Iterator[Hit]:
    encrypted = [entry.path for entry in layer.entries if entry.encrypted]
    if not encrypted:
        return
    examples = ", ".join(encrypted[:_EXAMPLES]) + (f" and {len(encrypted) - _EXAMPLES} more" if len(encrypted) > _EXAMPLES else "")
    yield Hit(
        path=encrypted[0] if len(encrypted) == 1 else None,
        message=f"{len(encrypted)} member{'s are' if len(encrypted) != 1 else ' is'} encrypted ({examples}); Lambda cannot unpack encrypted members",
        fix="Zip the layer again without a password (no zip -e / -P); protect it with S3 or KMS encryption instead.",
        targets=ctx.targets,
        data={"members": encrypted, "count": len(encrypted)},
    )


RULES = [
    Rule(
        code="LL401",
        name="corrupt-member",
        severity="error",
        check=check_corrupt_member,
        summary="A member whose data fails its CRC or does not decompress.",
        what="Reads every member once, as `unzip -t` does, and reports those whose bytes do not match their CRC-32, whose compressed data is damaged or truncated, or whose compression method is not supported. The rest of the layer is still checked. --no-verify reads only what other rules need. In a layer folder, items that cannot be listed or read (unreadable folders, FIFOs, sockets) are reported the same way.",
        why="Lambda fails to unpack the layer, or the function later imports damaged files. A truncated download or a broken upload usually causes it.",
        example="A layer zip with one flipped byte in the middle of python/six.py's compressed data.",
        fix="Rebuild the zip from the original files, or fetch it again and compare checksums.",
    ),
    Rule(
        code="LL402",
        name="unsafe-path",
        severity="error",
        check=check_unsafe_path,
        summary="A member name that is absolute, climbs with '..', uses backslashes, a drive letter or control characters.",
        what="Checks every member name as stored in the zip for absolute paths, '..' parts, backslashes, Windows drive letters, NUL or control characters.",
        why="Such names either escape the folder they are unpacked into (zip slip) or unpack to a different name than intended: with backslashes, Linux unzip creates one file called 'python\\mod.py' instead of a folder.",
        example="A member named ../../etc/cron.d/x, or python\\requests\\__init__.py from an old Windows zip tool.",
        fix="Zip from inside the layer folder with relative '/'-separated names: cd layer && zip -r ../layer.zip .",
    ),
    Rule(
        code="LL406",
        name="duplicate-member",
        severity="error",
        check=check_duplicate_member,
        summary="The same name twice in the archive.",
        what="Finds member names stored more than once, naming every copy; names that differ only by case or Unicode normalisation are reported as info.",
        why="Which copy survives unpacking is not defined, so the layer may not hold what you tested. Case-only differences collide on macOS and Windows file systems.",
        example="python/app/config.py appended twice by `zip` onto an existing archive.",
        fix="Build the zip from a clean folder instead of appending to an old zip.",
        severity_note="info for names that differ only by letter case or Unicode normalisation.",
    ),
    Rule(
        code="LL407",
        name="zip-bomb",
        severity="error",
        check=check_zip_bomb,
        summary="A member or archive that declares an absurd unzipped size or compression ratio.",
        what="Flags a member declaring over 1 GiB unzipped, a compression ratio over 1000:1 in a member over 10 MiB, or members declaring over 4 GiB in all. layer-lint never decompresses past these limits, whatever the headers claim. Nested archives (jars, wheels, zips) are not opened.",
        why="No real layer fits these numbers (Lambda's limit is 250 MB unzipped for a function and all its layers); an archive that does is broken or hostile, and unpacking it exhausts disk or memory.",
        example="A member of 1 GiB of zeros that zips to 1 MB.",
        fix="Do not deploy it; rebuild the layer from its sources. The limits can be raised with --max-member-bytes, --max-ratio and --max-total-bytes.",
    ),
    Rule(
        code="LL408",
        name="encrypted-member",
        severity="error",
        check=check_encrypted_member,
        summary="Password-protected members, which Lambda cannot unpack.",
        what="Finds members with the zip encryption flag set.",
        why="Lambda has no password to unpack them: publishing or invoking the layer fails.",
        example="A layer zipped with `zip -e` or `zip -P secret`.",
        fix="Zip it again without a password; protect it at rest with S3 or KMS encryption instead.",
    ),
]
