"""Materialise the real-world corpus (``SOURCES.tsv``) from local git mirrors into ``data/<name>/``.

``python -m bench.corpus.extract [--mirrors DIR] [--only NAME[,NAME..]]``

Every set in :data:`SOURCES` names a public GitHub repository, an exact commit and one or more paths.
The YAML is never committed to this repository: this script reads it out of a bare mirror of that
repository with git plumbing only (``git ls-tree`` and ``git cat-file blob COMMIT:PATH``; nothing fetched
is built or run) and writes it to ``data/<name>/<path in the repository>`` (``data/`` is git-ignored),
so a loader error such as ``data/otel-demo/kubernetes/opentelemetry-demo.yaml:812: ...`` still names the
upstream file and line.

Mirrors are looked up as ``<mirrors>/<owner>+<name>/repo``, bare or a checkout with its ``.git`` (the
layouts the session's ``fetch`` tool leaves in ``/work/.mirror``; ``--mirrors`` or ``$KUBECHECK_CORPUS_MIRRORS`` point elsewhere).  A set whose
mirror or commit is absent is not extracted; the script lists those sets with the repository to fetch
again and exits 1.

Paths (comma-separated in the ``paths`` column) are each one of:

* a file: that file;
* a directory: every ``*.yaml``, ``*.yml`` and ``*.json`` below it, except Kustomize's own
  ``kustomization.yaml``/``.yml`` (not a Kubernetes object; ``kubectl apply -f DIR`` refuses it too);
* a one-level glob such as ``web/guestbook/*.yaml``: the matching files directly in that directory.

A file that is a symbolic link is written with its target's content (:func:`blob_of`), as ``kubectl apply -f``
on a checkout reads it.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import posixpath
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "SOURCES.tsv"
DATA = HERE / "data"
DEFAULT_MIRRORS = Path(os.environ.get("KUBECHECK_CORPUS_MIRRORS", "/work/.mirror"))
KINDS = ("rendered-helm", "kustomize-output", "upstream-example", "vendor-install", "demo-app")
COLUMNS = ("name", "repository", "commit", "paths", "kind", "licence", "note")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
#: Kustomize's configuration files: never a Kubernetes object, so left out of directory sets.
KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


class SourcesError(ValueError):
    """``SOURCES.tsv`` is malformed (the message names the line)."""


class MirrorMissing(LookupError):
    """The mirror of a set's repository, or the set's commit or path in it, is not on this machine."""


@dataclass(frozen=True, slots=True)
class Source:
    """One row of ``SOURCES.tsv``: a manifest set and where it comes from."""

    name: str
    repository: str
    commit: str
    paths: tuple[str, ...]
    kind: str
    licence: str
    note: str

    @property
    def fetch_source(self) -> str:
        """What to hand the session's ``fetch`` tool to bring this set's mirror back."""
        return f"github:{self.repository}"


def parse_sources(text: str, origin: str = "SOURCES.tsv") -> list[Source]:
    """Parse ``SOURCES.tsv`` text: ``#`` comments, one header row, then one tab-separated row per set.

    Raises :class:`SourcesError` (``origin:LINE: message``) on a wrong column count, a commit that is not
    40 hex digits, an unknown kind, a repository that is not ``owner/name`` or a duplicate name.
    """
    sources: list[Source] = []
    seen: set[str] = set()
    header = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise SourcesError(f"{origin}:{lineno}: {len(cells)} tab-separated columns, want {len(COLUMNS)} ({', '.join(COLUMNS)})")
        if not header:
            if tuple(cells) != COLUMNS:
                raise SourcesError(f"{origin}:{lineno}: header must be {', '.join(COLUMNS)}")
            header = True
            continue
        name, repository, commit, paths, kind, licence, note = (c.strip() for c in cells)
        if not name or "/" in name or name.startswith(".") or name in seen:
            raise SourcesError(f"{origin}:{lineno}: name {name!r} is empty, has a slash, starts with a dot or is a duplicate")
        if repository.count("/") != 1:
            raise SourcesError(f"{origin}:{lineno}: repository {repository!r} is not owner/name")
        if len(commit) != 40 or any(ch not in "0123456789abcdef" for ch in commit):
            raise SourcesError(f"{origin}:{lineno}: commit {commit!r} is not 40 lowercase hex digits")
        if kind not in KINDS:
            raise SourcesError(f"{origin}:{lineno}: kind {kind!r} is not one of {', '.join(KINDS)}")
        split = tuple(p.strip().strip("/") for p in paths.split(",") if p.strip())
        if not split or any(p.startswith("..") or "/../" in f"/{p}/" for p in split):
            raise SourcesError(f"{origin}:{lineno}: paths {paths!r} is empty or leaves the repository")
        seen.add(name)
        sources.append(Source(name, repository, commit, split, kind, licence, note))
    return sources


def load_sources(path: Path = SOURCES) -> list[Source]:
    """The sets listed in ``path`` (default: this directory's ``SOURCES.tsv``)."""
    return parse_sources(path.read_text(encoding="utf-8"), path.name)


def select(sources: Sequence[Source], only: Sequence[str]) -> list[Source]:
    """The sets named in ``only`` (all when empty), in ``SOURCES.tsv`` order; an unknown name is a ``KeyError``."""
    if not only:
        return list(sources)
    known = {s.name for s in sources}
    unknown = [n for n in only if n not in known]
    if unknown:
        raise KeyError(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [s for s in sources if s.name in set(only)]


def mirror_of(source: Source, mirrors: Path = DEFAULT_MIRRORS) -> Path:
    """The git directory expected to hold ``source.repository``: ``<mirrors>/<owner>+<name>/repo``, a bare
    repository, or its ``.git`` when ``repo`` is a checkout (``fetch`` leaves some snapshots that way)."""
    owner, name = source.repository.split("/")
    repo = mirrors / f"{owner}+{name}" / "repo"
    return repo / ".git" if (repo / ".git").is_dir() else repo


def _git(git_dir: Path, *args: str) -> bytes:
    # --literal-pathspecs: a path (or a symbolic link's target) is a path, never a glob or a ":(magic)" pathspec
    proc = subprocess.run(["git", "--literal-pathspecs", f"--git-dir={git_dir}", *args], capture_output=True, check=False)
    if proc.returncode != 0:
        raise MirrorMissing(proc.stderr.decode(errors="replace").strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed")
    return proc.stdout


def files_of(source: Source, git_dir: Path) -> list[str]:
    """The repository paths of ``source`` at its commit, in the order and with the rules of the module doc.

    Raises :class:`MirrorMissing` when the commit is not in the mirror or a path matches no manifest.
    """
    _git(git_dir, "cat-file", "-e", f"{source.commit}^{{commit}}")
    out: list[str] = []
    for spec in source.paths:
        if "*" in spec or "?" in spec or "[" in spec:
            parent, pattern = posixpath.split(spec)
            listing = _git(git_dir, "ls-tree", "--name-only", "-z", source.commit, "--", f"{parent}/").decode()
            found = sorted(p for p in listing.split("\0") if p and fnmatch.fnmatchcase(posixpath.basename(p), pattern))
            # ls-tree lists subtrees too: keep blobs only
            found = [p for p in found if _git(git_dir, "cat-file", "-t", f"{source.commit}:{p}").strip() == b"blob"]
        else:
            kind = _git(git_dir, "cat-file", "-t", f"{source.commit}:{spec}").strip()
            if kind == b"blob":
                found = [spec]
            else:
                listing = _git(git_dir, "ls-tree", "-r", "--name-only", "-z", source.commit, "--", f"{spec}/").decode()
                found = sorted(
                    p
                    for p in listing.split("\0")
                    if p and p.lower().endswith(MANIFEST_SUFFIXES) and posixpath.basename(p) not in KUSTOMIZATION_FILES
                )
        if not found:
            raise MirrorMissing(f"{spec} matches no manifest file at {source.commit[:12]}")
        out.extend(p for p in found if p not in out)
    return out


#: How many symbolic links in a row :func:`blob_of` follows (Linux's own limit is 40; upstream repositories need 1).
MAX_LINK_HOPS = 8


def blob_of(git_dir: Path, commit: str, path: str) -> bytes:
    """The content of ``path`` at ``commit``, a symbolic link (mode 120000) followed inside the repository.

    Git stores a symlink as a blob holding its target; ``kubectl apply -f`` (and ``ko``) on a checkout opens the
    link and reads the target file, so that is what the set must hold (knative/serving's ``config/core`` links
    into ``vendor/``).  A link that leaves the repository, is absolute, or chains more than
    :data:`MAX_LINK_HOPS` times raises :class:`MirrorMissing`.
    """
    for _ in range(MAX_LINK_HOPS + 1):
        entry = _git(git_dir, "ls-tree", "-z", commit, "--", path).decode()
        data = _git(git_dir, "cat-file", "blob", f"{commit}:{path}")
        if not entry.startswith("120000 "):
            return data
        target = data.decode(errors="replace")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise MirrorMissing(f"{path} is a symbolic link out of the repository ({target})")
        path = resolved
    raise MirrorMissing(f"{path}: more than {MAX_LINK_HOPS} symbolic links in a row")


def extract(source: Source, mirrors: Path = DEFAULT_MIRRORS, data: Path = DATA) -> list[Path]:
    """Write ``source``'s files to ``data/<name>/`` (replacing what was there) and return their paths.

    Raises :class:`MirrorMissing` (nothing written) when the mirror, the commit or a path is absent.
    """
    git_dir = mirror_of(source, mirrors)
    if not git_dir.is_dir():
        raise MirrorMissing(f"no mirror at {git_dir}")
    files = files_of(source, git_dir)
    blobs = [(f, blob_of(git_dir, source.commit, f)) for f in files]
    target = data / source.name
    if target.exists():
        shutil.rmtree(target)
    written: list[Path] = []
    for f, blob in blobs:
        dest = target / f
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob)
        written.append(dest)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.corpus.extract", description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="directory of <owner>+<name>/repo bare mirrors (default %(default)s)")
    ap.add_argument("--sources", type=Path, default=SOURCES, help="the SOURCES.tsv to read")
    ap.add_argument("--data", type=Path, default=DATA, help="where the sets go (default %(default)s)")
    ap.add_argument("--only", action="append", default=[], help="extract only these sets (repeatable or comma list)")
    args = ap.parse_args(argv)
    only = [n for chunk in args.only for n in chunk.split(",") if n]
    try:
        sources = select(load_sources(args.sources), only)
    except (SourcesError, KeyError) as e:
        print(f"extract: {e}", file=sys.stderr)
        return 2
    missing: list[tuple[Source, str]] = []
    for s in sources:
        try:
            written = extract(s, args.mirrors, args.data)
        except MirrorMissing as e:
            missing.append((s, str(e)))
            print(f"MISSING  {s.name:<20} {s.repository}@{s.commit[:12]}: {e}")
            continue
        size = sum(p.stat().st_size for p in written)
        print(f"ok       {s.name:<20} {len(written):>3} file(s) {size / 1024:>8.1f} KiB  {s.repository}@{s.commit[:12]}")
    print(f"{len(sources) - len(missing)} of {len(sources)} set(s) extracted into {args.data}")
    if missing:
        print(f"{len(missing)} set(s) MISSING (their mirror, commit or path is not on this machine); fetch again:", file=sys.stderr)
        for repo in sorted({s.fetch_source for s, _ in missing}):
            print(f"  {repo}  (sets: {', '.join(s.name for s, _ in missing if s.fetch_source == repo)})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
