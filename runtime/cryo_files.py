"""_cryo_files — the files a frozen program carries besides its code.

Packed by the freezer (as module _cryo_files) into programs that have
package data or distribution metadata, or that use importlib.resources,
importlib.metadata or pkgutil.  It serves the virtual tree (runtime/
importer.c: a module's __file__ is "<sys.executable>/<its path>"):

  - importlib.resources: the importer's get_resource_reader() gives a
    reader whose files() is a Traversable over the packed files (files(),
    read_text(), read_binary(), open_*(), is_resource(), contents(),
    iterdir(), and as_file(), which writes a temporary copy as python3.11
    does for zip archives).  Never touches the disk.
  - pkgutil.get_data and loader.get_data(path).  Never touches the disk.
  - importlib.metadata: the importer's find_distributions() gives the
    packed *.dist-info / *.egg-info directories (version(), metadata(),
    entry_points(), files(), distributions()).
  - open(), io.open(), os.stat(), os.lstat(), os.listdir(), os.scandir()
    (and so os.path.exists/isfile/isdir/getsize, pathlib's Path.open,
    read_text, exists, iterdir) of paths inside the virtual tree: install()
    wraps them, when the program has data files or packs unittest (whose
    discovery lists package directories), so that code reading
    os.path.join(os.path.dirname(__file__), "data.json") works.  Files are
    read-only; module files are listed and read as their source (size 0
    and unreadable in a program built with --no-sources); C code that
    opens such a path itself (fopen) cannot see them: use
    importlib.resources.as_file() to get a real file.
"""
import errno
import io
import os
import stat as _stat
import sys

import _cryo

_ROOT = sys.executable
_PREFIX = _ROOT + "/"
_sizes = None     # {path: size} of the data files
_dirs = None      # {dir path: set of names in it}; "" is the root
_modules = {}     # {path: source size, None if not shipped} of the frozen modules' files


def _index():
    global _sizes, _dirs
    if _dirs is None:
        sizes = _cryo.data_sizes()
        dirs = {"": set()}

        def add_dirs(parts):
            for i in range(len(parts)):
                parent = "/".join(parts[:i])
                dirs.setdefault(parent, set()).add(parts[i])
                dirs.setdefault("/".join(parts[:i + 1]), set())

        for path in sizes:
            parts = path.split("/")
            add_dirs(parts[:-1])
            dirs.setdefault("/".join(parts[:-1]), set()).add(parts[-1])
        for path, size in _cryo.module_paths().items():
            parts = path.split("/")
            add_dirs(parts[:-1])
            dirs.setdefault("/".join(parts[:-1]), set()).add(parts[-1])
            _modules[path] = size
        _sizes, _dirs = sizes, dirs
    return _sizes, _dirs


def _rel(path):
    """The path relative to the virtual tree's root, or None if `path` is
    not inside it."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or not (path == _ROOT or path.startswith(_PREFIX)):
        return None
    path = os.path.normpath(path)
    if path == _ROOT:
        return ""
    return path[len(_PREFIX):] if path.startswith(_PREFIX) else None


def _not_found(path):
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


def _unreadable(path, rel):
    if rel in _modules:
        return FileNotFoundError(errno.ENOENT, "the source of a frozen module is not in the "
                                 "executable (built with --no-sources)", path)
    return _not_found(path)


class VirtualPath:
    """A file or directory of the virtual tree (importlib.resources.abc's
    Traversable, and enough of pathlib for importlib.metadata)."""

    def __init__(self, rel):
        self._rel = rel

    def __repr__(self):
        return "VirtualPath(%r)" % str(self)

    def __str__(self):
        return _PREFIX + self._rel if self._rel else _ROOT

    def __eq__(self, other):
        return isinstance(other, VirtualPath) and other._rel == self._rel

    def __hash__(self):
        return hash(self._rel)

    @property
    def name(self):
        return self._rel.rsplit("/", 1)[-1]

    @property
    def suffix(self):
        i = self.name.rfind(".")
        return self.name[i:] if 0 < i < len(self.name) - 1 else ""

    @property
    def stem(self):
        return self.name[:len(self.name) - len(self.suffix)] if self.suffix else self.name

    @property
    def parent(self):
        return VirtualPath(self._rel.rsplit("/", 1)[0] if "/" in self._rel else "")

    def joinpath(self, *names):
        rel = self._rel
        for name in names:
            for part in str(name).split("/"):
                if part in ("", "."):
                    continue
                if part == "..":
                    rel = rel.rsplit("/", 1)[0] if "/" in rel else ""
                else:
                    rel = rel + "/" + part if rel else part
        return VirtualPath(rel)

    __truediv__ = joinpath

    def is_dir(self):
        return self._rel in _index()[1]

    def is_file(self):
        return self._rel in _index()[0] or self._rel in _modules

    def exists(self):
        return self.is_file() or self.is_dir()

    def iterdir(self):
        dirs = _index()[1]
        if self._rel not in dirs:
            raise _not_found(str(self))
        for name in sorted(dirs[self._rel]):
            yield self.joinpath(name)

    def read_bytes(self):
        if self._rel not in _index()[0]:
            src = _cryo.module_source(self._rel) if self._rel in _modules else None
            if src is None:
                raise _unreadable(str(self), self._rel)
            return src
        return _cryo.read_data(self._rel)

    def read_text(self, encoding=None, errors=None):
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode="r", *args, **kwargs):
        if mode not in ("r", "rb"):
            raise ValueError("files inside a frozen program are read-only: mode %r" % mode)
        return _open_virtual(str(self), self._rel, mode, *args, **kwargs)


class _Reader:
    """importlib.resources' reader of a frozen package."""

    def __init__(self, rel):
        self._path = VirtualPath(rel)

    def files(self):
        return self._path

    # The older ResourceReader protocol, for code that calls it directly.
    def open_resource(self, resource):
        return self._path.joinpath(resource).open("rb")

    def resource_path(self, resource):
        raise FileNotFoundError(resource)

    def is_resource(self, name):
        return self._path.joinpath(name).is_file()

    def contents(self):
        return (p.name for p in self._path.iterdir())


def resource_reader(fullname):
    return _Reader(fullname.replace(".", "/"))


def get_data(path):
    rel = _rel(path)
    if rel is None:
        with io.open_code(os.fspath(path)) as f:
            return f.read()
    if rel not in _index()[0]:
        raise _not_found(path)
    return _cryo.read_data(rel)


def adopt_pkg_resources(pr):
    """Called by the importer once pkg_resources has run: its resource
    functions read through this importer's modules (DefaultProvider: paths
    under sys.executable, which the wrappers below serve), and its working
    set holds the packed distributions, as it would hold the installed ones
    (pkg_resources.get_distribution(), require(), iter_entry_points())."""
    pr.register_loader_type(type(pr.__spec__.loader), pr.DefaultProvider)
    root = sys.executable
    for name in sorted(_index()[1].get("", ())):
        if name.endswith(".dist-info") or name.endswith(".egg-info"):
            meta = pr.PathMetadata(root, os.path.join(root, name))
            dist = pr.Distribution.from_location(root, name, meta)
            if dist.key not in pr.working_set.by_key:
                pr.working_set.add(dist, entry=root)


def find_distributions(context=None):
    import importlib.metadata as md
    if context is None:
        context = md.DistributionFinder.Context()
    want = None
    if context.name is not None:
        want = md.Prepared.normalize(context.name)
    for name in sorted(_index()[1].get("", ())):
        if not (name.endswith(".dist-info") or name.endswith(".egg-info")):
            continue
        dist = md.PathDistribution(VirtualPath(name))
        if want is None or md.Prepared.normalize(dist._normalized_name or "") == want \
                or md.Prepared.normalize(name.split("-")[0].rsplit(".", 1)[0]) == want:
            yield dist


# ---- open(), os.stat() and friends on the virtual tree ----

_real = {}


def _open_virtual(path, rel, mode="r", buffering=-1, encoding=None, errors=None,
                  newline=None, closefd=True, opener=None):
    if "w" in mode or "a" in mode or "x" in mode or "+" in mode:
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), path)
    sizes, dirs = _index()
    if rel in dirs:
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if _modules.get(rel) is not None:
        # a frozen module's source: a real descriptor (runtime/sources.c),
        # which python3.11's C traceback printer needs
        return _real["open"](path, mode, buffering, encoding, errors, newline, closefd,
                             opener)
    if rel not in sizes:
        raise _unreadable(path, rel)
    raw = io.BytesIO(_cryo.read_data(rel))
    raw.name = path
    if "b" in mode:
        return raw
    if encoding is None:
        encoding = io.text_encoding(None)
    return io.TextIOWrapper(raw, encoding, errors, newline)


def _open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None,
          closefd=True, opener=None):
    rel = _rel(file) if isinstance(file, (str, bytes)) else (
        _rel(os.fspath(file)) if hasattr(file, "__fspath__") else None)
    if rel is None:
        return _real["open"](file, mode, buffering, encoding, errors, newline, closefd, opener)
    return _open_virtual(os.fsdecode(os.fspath(file)), rel, mode, buffering, encoding,
                         errors, newline)


def _stat_result(rel, path):
    sizes, dirs = _index()
    if rel in sizes:
        mode, size = _stat.S_IFREG | 0o444, sizes[rel]
    elif rel in _modules:
        mode, size = _stat.S_IFREG | 0o444, _modules[rel] or 0
    elif rel in dirs:
        mode, size = _stat.S_IFDIR | 0o555, 0
    else:
        raise _not_found(path)
    st = _real["stat"](_ROOT)      # times and owner: the executable's
    return os.stat_result((mode, 0, st.st_dev, 1, st.st_uid, st.st_gid, size,
                           st.st_atime, st.st_mtime, st.st_ctime))


def _make_stat(real_name):
    def stat(path, *, dir_fd=None, follow_symlinks=True):
        rel = _rel(os.fspath(path)) if dir_fd is None and not isinstance(path, int) else None
        if rel is None:
            if real_name == "lstat":
                return _real[real_name](path, dir_fd=dir_fd)
            return _real[real_name](path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
        return _stat_result(rel, os.fspath(path))
    stat.__name__ = real_name
    stat.__doc__ = _real[real_name].__doc__
    return stat


def _listdir(path="."):
    rel = _rel(os.fspath(path)) if not isinstance(path, int) else None
    if rel is None:
        return _real["listdir"](path)
    dirs = _index()[1]
    if rel not in dirs:
        raise _not_found(os.fspath(path))
    names = sorted(dirs[rel])
    return [os.fsencode(n) for n in names] if isinstance(path, bytes) else names


class _DirEntry:
    def __init__(self, parent, name):
        self.name = name
        self.path = os.path.join(parent, name)
        self._rel = _rel(self.path)

    def __repr__(self):
        return "<DirEntry %r>" % self.name

    def __fspath__(self):
        return self.path

    def is_dir(self, *, follow_symlinks=True):
        return self._rel in _index()[1]

    def is_file(self, *, follow_symlinks=True):
        return self._rel in _index()[0] or self._rel in _modules

    def is_symlink(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return _stat_result(self._rel, self.path)

    def inode(self):
        return 0


class _ScandirIterator:
    def __init__(self, entries):
        self._it = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._it = iter(())


def _scandir(path="."):
    rel = _rel(os.fspath(path)) if not isinstance(path, int) else None
    if rel is None:
        return _real["scandir"](path)
    parent = os.fsdecode(os.fspath(path))
    return _ScandirIterator([_DirEntry(parent, n) for n in _listdir(parent)])


def install():
    """Make open(), os.stat() and the rest see the virtual tree (once)."""
    if _real:
        return
    import builtins
    _real.update(open=io.open, stat=os.stat, lstat=os.lstat, listdir=os.listdir,
                 scandir=os.scandir)
    _open.__doc__ = io.open.__doc__
    builtins.open = io.open = _open
    os.stat = _make_stat("stat")
    os.lstat = _make_stat("lstat")
    os.listdir = _listdir
    os.scandir = _scandir
