"""JavaScript the browser tests inject into pages, fetched from the npm registry at pinned
versions and checked against the registry's sha512 integrity before one file is unpacked.

    .venv/bin/python -m signage.devtools.browserlibs     (make test-tools runs it)

Only the file a test needs is kept, under <venv>/share/browser-libs/<package>@<version>/
(git-ignored, removed by `make clean`). Nothing here is served to staff: axe-core checks the
console's pages for accessibility in the tests. Once the file is there nothing is fetched, so
the step is idempotent and works offline. `npm pack` does the fetching: it knows the
registry (and any mirror or proxy npm is configured for) and keeps its own cache.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

INSTALL_HINT = "run `make test-tools` (scripts/install-test-tools.sh) to fetch it"


@dataclasses.dataclass(frozen=True)
class Pin:
    """One npm package at one version, its tarball's integrity, and the file we keep."""

    package: str
    version: str
    integrity: str  # the registry's dist.integrity: "sha512-" + base64 of the digest
    member: str     # path inside the tarball (npm tarballs put everything under package/)

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


PINS = {
    # axe-core is MPL-2.0; it is only injected into pages by the tests, never shipped.
    "axe": Pin("axe-core", "4.14.1",
               "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
               "package/axe.min.js"),
}


def default_root() -> Path:
    """Where vendored files live: beside the venv that runs the tests."""
    return Path(sys.prefix) / "share" / "browser-libs"


def path_of(name: str, root: Path | None = None) -> Path:
    """The vendored file for PINS[name] (it may not exist yet: see `missing`)."""
    pin = PINS[name]
    return (root or default_root()) / pin.spec / Path(pin.member).name


def missing(name: str, root: Path | None = None) -> str | None:
    """Why PINS[name] cannot be used here, or None if its file is in place."""
    path = path_of(name, root)
    if not path.is_file():
        return f"{PINS[name].spec} is not vendored at {path}; {INSTALL_HINT}"
    return None


def integrity_of(data: bytes) -> str:
    """npm's integrity string (SRI, sha512) for some bytes."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def vendor(name: str, root: Path | None = None) -> Path:
    """Make sure PINS[name]'s file is in place, fetching and checking it if not."""
    target = path_of(name, root)
    if target.is_file():
        return target
    pin = PINS[name]
    with tempfile.TemporaryDirectory(prefix="browser-libs-") as work:
        install_from(npm_pack(pin, Path(work)), pin, target)
    return target


def install_from(tarball: Path, pin: Pin, target: Path) -> None:
    """Check `tarball` against the pinned integrity, then write its one member to `target`."""
    found = integrity_of(tarball.read_bytes())
    if found != pin.integrity:
        raise SystemExit(f"error: {pin.spec} from the registry has integrity {found}, "
                         f"but {pin.integrity} is pinned; not unpacking it")
    data = member_bytes(tarball, pin.member)
    target.parent.mkdir(parents=True, exist_ok=True)
    # written beside, then renamed: a half-written file is never taken as present
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


def npm_pack(pin: Pin, work: Path) -> Path:
    """The package's tarball, fetched by npm into `work` (scripts are not run by pack)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"error: npm is needed to fetch {pin.spec}; install Node.js's npm "
                         "(scripts/install-test-tools.sh does on Debian)")
    answer = subprocess.run(
        [npm, "pack", pin.spec, "--json", "--ignore-scripts", "--pack-destination", str(work)],
        cwd=work, capture_output=True, text=True, check=False)
    if answer.returncode != 0:
        raise SystemExit(f"error: `npm pack {pin.spec}` failed: {answer.stderr.strip()[-800:]}")
    filename = json.loads(answer.stdout)[0]["filename"]
    return work / Path(filename).name


def member_bytes(tarball: Path, member: str) -> bytes:
    """One regular file's bytes from a .tgz, read without extracting anything to disk."""
    with tarfile.open(tarball, "r:gz") as archive:
        info = archive.getmember(member)
        if not info.isfile():
            raise SystemExit(f"error: {member} in {tarball.name} is not a regular file")
        stream = archive.extractfile(info)
        assert stream is not None
        return stream.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=None,
                        help="folder to vendor into (default: <venv>/share/browser-libs)")
    args = parser.parse_args(argv)
    for name in PINS:
        already = missing(name, args.root) is None
        path = vendor(name, args.root)
        if not already:
            print(f"vendored {PINS[name].spec} (integrity checked) at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
