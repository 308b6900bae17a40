"""Submissions: folders, archives read in memory (a path or bytes), YAML documents, writing."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from histfmt.convert.hepdata.common import SUBMISSION
from histfmt.errors import HistfmtError, LimitError
from histfmt.io import MAX_BYTES, read_file
from histfmt.limits import default_limits
from histfmt.prescan import check_yaml

__all__ = ["Archive", "Folder", "Lone", "tar_gz", "write_folder", "yaml_documents"]


def tar_gz(files: dict[str, bytes]) -> bytes:
    """The files as a ``.tar.gz`` archive, built in memory."""
    import gzip
    import time

    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_folder(path: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``path``, then move it into place (replacing an old export)."""
    import os
    import shutil
    import tempfile

    target = str(path)
    if path.exists() and not path.is_dir():
        raise HistfmtError("exists and is not a folder", filename=target)
    if path.is_dir() and any(path.iterdir()) and not _is_submission_folder(path):
        raise HistfmtError(
            "the folder is not empty and holds no HEPData submission; refusing to overwrite it",
            filename=target,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=target) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        build.chmod(0o777 & ~umask)
        for name, data in files.items():
            (build / name).write_bytes(data)
        if not path.exists():
            build.replace(path)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        path.replace(old / "previous")
        try:
            build.replace(path)
        except OSError:
            (old / "previous").replace(path)
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=target) from None
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _is_submission_folder(path: Path) -> bool:
    """Only ``submission.yaml`` and the files it names: a previous export, safe to replace."""
    import yaml

    try:
        names = {entry.name for entry in path.iterdir() if entry.is_file()}
        if SUBMISSION not in names or len(names) != len(list(path.iterdir())):
            return False
        docs = list(yaml.safe_load_all((path / SUBMISSION).read_bytes()))
    except (OSError, yaml.YAMLError):
        return False
    known = {SUBMISSION}
    for doc in docs:
        if isinstance(doc, dict):
            known.add(str(doc.get("data_file", SUBMISSION)))
            for resource in doc.get("additional_resources") or []:
                if isinstance(resource, dict):
                    known.add(str(resource.get("location", SUBMISSION)))
    return names <= known


class Folder:
    """The files of a folder, each read whole (up to ``MAX_BYTES``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self, name: str) -> str:
        return str(self.root / name)

    def read(self, name: str) -> bytes:
        """The file ``name`` of the folder: a regular file inside it (a name reaching out
        of the folder, ``../x`` or ``/dev/zero``, is refused: a submission names its own
        files)."""
        target = self.root / _checked_name(name, str(self.root))
        try:
            inside = target.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
            raise HistfmtError(f"cannot read: {exc}", filename=str(target)) from None
        if not inside:
            raise HistfmtError(
                f"the submission names a file outside its folder: {name!r}", filename=str(target)
            )
        return read_file(target)


class Lone:
    """One file given as bytes: the files it names are not there."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data

    def label(self, name: str) -> str:
        return name

    def read(self, name: str) -> bytes:
        if name != self.name:
            raise HistfmtError(
                "not given: a submission that names other files is read from a folder "
                "or an archive",
                filename=name,
            )
        return self.data


class Archive:
    """The files of a .tar(.gz)/.zip archive (a path or bytes), read in memory, never extracted."""

    def __init__(self, source: str | os.PathLike[str] | bytes, label: str) -> None:
        self.where = label
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        buffer = io.BytesIO(source) if isinstance(source, bytes) else None
        path = None if isinstance(source, bytes) else os.fspath(source)
        opened: Any = buffer or path
        try:
            if zipfile.is_zipfile(opened):
                self._zip = zipfile.ZipFile(opened)
                names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
            else:
                if buffer is not None:
                    buffer.seek(0)
                self._tar = tarfile.open(path, "r:*", fileobj=buffer)  # noqa: SIM115 (closed by __exit__)
                names = [member.name for member in self._tar.getmembers() if member.isfile()]
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            self.close()
            raise HistfmtError(f"not a readable archive ({exc})", filename=label) from None
        self.names = set(names)
        found = [name for name in names if PurePosixPath(name).name == SUBMISSION]
        if not found:
            self.close()
            raise HistfmtError(f"no {SUBMISSION} in the archive", filename=label)
        self.submission = min(found, key=lambda name: name.count("/"))

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()

    def label(self, name: str) -> str:
        return f"{self.where}:{name}"

    def read(self, name: str) -> bytes:
        key = _checked_name(name, self.where)
        if name != self.submission:
            key = (PurePosixPath(self.submission).parent / name).as_posix()
            key = key if key in self.names else f"./{key}"
        if key not in self.names:
            raise HistfmtError("no such file in the archive", filename=self.label(name))
        try:
            limit = default_limits().decompressed_bytes
            if self._zip is not None:
                size = self._zip.getinfo(key).file_size
                if size > min(MAX_BYTES, limit):
                    raise _too_large(size, limit, self.label(name))
                return self._zip.read(key)
            assert self._tar is not None
            member = self._tar.getmember(key)
            if member.size > min(MAX_BYTES, limit):
                raise _too_large(member.size, limit, self.label(name))
            stream = self._tar.extractfile(member)
            return stream.read() if stream is not None else b""
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise HistfmtError(f"cannot read ({exc})", filename=self.label(name)) from None


def _checked_name(name: str, where: str) -> str:
    """A file name of the submission, refused when no file can have it (a NUL character)."""
    if "\x00" in name:
        raise HistfmtError(f"a file name with a NUL character: {name!r}", filename=where)
    return name


def _too_large(size: int, limit: int, label: str) -> HistfmtError:
    if size > MAX_BYTES:
        return HistfmtError(f"too large ({size} bytes)", filename=label)
    return LimitError.at(
        (),
        f"{size:,} bytes once decompressed (limit decompressed_bytes = {limit:,})",
        filename=label,
        limit="decompressed_bytes",
    )


def yaml_documents(data: bytes, filename: str) -> list[Any]:
    """Every YAML document of a HEPData file, read as safely as histfmt's own YAML
    (:func:`histfmt.prescan.check_yaml`: no aliases, duplicate keys or endless nesting)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        check_yaml(data, default_limits(), filename=filename)
        return list(yaml.load_all(data, Loader=loader))
    except (ValueError, OverflowError, RecursionError) as exc:  # what the checks leave out
        if isinstance(exc, HistfmtError):
            raise
        raise HistfmtError(f"not valid YAML: {exc}", filename=filename) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        position = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HistfmtError(f"not valid YAML{position}: {problem}", filename=filename) from None
