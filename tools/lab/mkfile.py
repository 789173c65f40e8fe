#!/usr/bin/env python3
"""Deterministic test files for the stagewatch lab.

The same (kind, size, seed) always gives the same bytes, so re-recording a
capture gives the same file sizes. Kinds:

  random  SIZE random bytes
  zero    SIZE zero bytes (SIZE may be 0)
  text    seeded log-like text lines, exactly SIZE bytes
  zip     a real zip archive (python zipfile): a text member plus stored random
          members, padded to exactly SIZE bytes with the archive comment
  7z      7-Zip signature header (37 7A BC AF 27 1C 00 04) + random bytes
  rar     RAR 5 signature (52 61 72 21 1A 07 01 00) + random bytes
  rar4    RAR 4 signature (52 61 72 21 1A 07 00) + random bytes
  docx / xlsx / pptx
          a minimal OOXML package (a zip whose first member is
          [Content_Types].xml), padded with a stored media member
  pdf     a small PDF-shaped file (%PDF-1.4 ... %%EOF), exactly SIZE bytes
  gz      a real gzip stream (python gzip, mtime 0) of random bytes, about
          SIZE bytes
  zip-of  a real zip (deflate) of the INPUT files given after the options,
          stored under their base names; SIZE is ignored

Only the zip-based kinds can be slightly larger than SIZE when SIZE is below
their minimal structure; every caller reads the real size with stat.
"""

import argparse
import io
import os
import random
import sys
import zipfile

FIXED_TIME = (2026, 11, 2, 9, 30, 0)
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo "
         "lima mike november oscar papa quebec romeo sierra tango uniform "
         "victor whiskey xray yankee zulu invoice payroll forecast ledger "
         "customer contract budget quarterly audit export").split()


def text_bytes(rng, size):
    out = bytearray()
    n = 0
    while len(out) < size:
        n += 1
        line = "%05d %s\n" % (n, " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))))
        out += line.encode()
    return bytes(out[:size])


def zip_bytes(rng, size, members_fn):
    """Build a zip with members from members_fn(payload_budget), then pad to
    exactly size with the archive comment (max 65535 bytes) when possible."""
    budget = size
    for _ in range(8):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data, method in members_fn(budget):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.compress_type = method
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        data = buf.getvalue()
        over = len(data) - size
        if over > 0:
            if budget <= 0:
                return data
            budget = max(0, budget - over - 16)
            continue
        pad = size - len(data)
        if pad == 0:
            return data
        if pad <= 65535:
            # Rewrite with a comment filling the gap exactly.
            buf = io.BytesIO(data)
            with zipfile.ZipFile(buf, "a") as zf:
                zf.comment = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(pad))
            return buf.getvalue()
        budget += pad - 1024
    raise SystemExit("mkfile: could not fit zip to %d bytes" % size)


def plain_zip(rng, size):
    stem = rng.choice(["export", "backup", "dump", "archive", "files"])
    readme = text_bytes(rng, 600)
    seed = rng.getrandbits(64)

    def members(budget):
        r = random.Random(seed)
        out = [("%s/README.txt" % stem, readme, zipfile.ZIP_DEFLATED)]
        left = max(0, budget - 600)
        i = 0
        while left > 0:
            i += 1
            chunk = min(left, r.randint(40_000, 400_000))
            out.append(("%s/part-%03d.bin" % (stem, i), r.randbytes(chunk), zipfile.ZIP_STORED))
            left -= chunk + 120
        return out
    return zip_bytes(rng, size, members)


OOXML = {
    "docx": ("word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
             "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
             "word/media/image1.png"),
    "xlsx": ("xl/workbook.xml",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
             "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
             "xl/media/image1.png"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
             "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
             "ppt/media/image1.png"),
}


def ooxml_zip(rng, size, kind):
    part, ctype, rel, media = OOXML[kind]
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Default Extension="png" ContentType="image/png"/>'
             '<Override PartName="/%s" ContentType="%s"/></Types>' % (part, ctype)).encode()
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="%s" Target="%s"/></Relationships>' % (rel, part)).encode()
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<doc><p>%s</p></doc>'
            % text_bytes(rng, 2000).decode().replace("\n", "</p><p>")).encode()
    seed = rng.getrandbits(64)

    def members(budget):
        r = random.Random(seed)
        out = [("[Content_Types].xml", types, zipfile.ZIP_DEFLATED),
               ("_rels/.rels", rels, zipfile.ZIP_DEFLATED),
               (part, body, zipfile.ZIP_DEFLATED)]
        left = budget - 2500
        if left > 64:
            png = b"\x89PNG\r\n\x1a\n" + r.randbytes(left - 8)
            out.append((media, png, zipfile.ZIP_STORED))
        return out
    return zip_bytes(rng, size, members)


def pdf_bytes(rng, size):
    head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Length LEN >>\nstream\n")
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    fill = 0
    for _ in range(3):  # the length's digit count changes the header size
        h = head.replace(b"LEN", str(fill).encode())
        fill = max(0, size - len(h) - len(tail))
    h = head.replace(b"LEN", str(fill).encode())
    return h + rng.randbytes(fill) + tail


def magic_then_random(rng, size, magic):
    if size < len(magic):
        raise SystemExit("mkfile: size %d too small for the signature" % size)
    return magic + rng.randbytes(size - len(magic))


def gzip_bytes(rng, size):
    import gzip
    return gzip.compress(rng.randbytes(max(0, size - 38)), compresslevel=6, mtime=0)


def zip_of(inputs):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in inputs:
            info = zipfile.ZipInfo(os.path.basename(path), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as f:
                zf.writestr(info, f.read())
    return buf.getvalue()


def build(kind, size, seed):
    rng = random.Random("stagewatch-lab:%s:%d:%d" % (kind, size, seed))
    if kind == "random":
        return rng.randbytes(size)
    if kind == "zero":
        return bytes(size)
    if kind == "text":
        return text_bytes(rng, size)
    if kind == "zip":
        return plain_zip(rng, size)
    if kind == "7z":
        return magic_then_random(rng, size, b"7z\xbc\xaf\x27\x1c\x00\x04")
    if kind == "rar":
        return magic_then_random(rng, size, b"Rar!\x1a\x07\x01\x00")
    if kind == "rar4":
        return magic_then_random(rng, size, b"Rar!\x1a\x07\x00")
    if kind in OOXML:
        return ooxml_zip(rng, size, kind)
    if kind == "pdf":
        return pdf_bytes(rng, size)
    if kind == "gz":
        return gzip_bytes(rng, size)
    raise SystemExit("mkfile: unknown kind %r" % kind)


def write_random_stream(path, size, seed):
    """Large random files (bulk captures) without holding them in memory."""
    rng = random.Random("stagewatch-lab:random:%d:%d" % (size, seed))
    chunk = 8 << 20
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(chunk, left)
            f.write(rng.randbytes(n))
            left -= n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", required=True)
    ap.add_argument("--size", required=True, type=int)
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--out", required=True)
    ap.add_argument("inputs", nargs="*", help="input files for --kind zip-of")
    a = ap.parse_args()
    if a.size < 0:
        raise SystemExit("mkfile: negative size")
    tmp = a.out + ".part"
    try:
        if a.kind == "random" and a.size > (64 << 20):
            write_random_stream(tmp, a.size, a.seed)
        elif a.kind == "zip-of":
            if not a.inputs:
                raise SystemExit("mkfile: zip-of needs input files")
            with open(tmp, "wb") as f:
                f.write(zip_of(a.inputs))
        else:
            data = build(a.kind, a.size, a.seed)
            with open(tmp, "wb") as f:
                f.write(data)
        os.replace(tmp, a.out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(os.stat(a.out).st_size)


if __name__ == "__main__":
    sys.exit(main())
