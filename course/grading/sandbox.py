"""The autograde kernel, run inside a bubblewrap sandbox.

Under plain nbgrader a submission runs as the grader's user, in the grader's course folder: it
can read ``source/`` (solutions and hidden tests) and rewrite ``gradebook.db``. Here the kernel
runs in a bubblewrap (``bwrap``) container that sees only

* the system (``/usr`` and its ``/bin``, ``/lib*`` links, a few files of ``/etc``), the base
  Python, the virtualenv and the package ``course/``, all read-only;
* in place of the reference library ``mlelib/``, a stand-in whose functions raise
  ``MlelibNotAvailable`` (``course/grading/standin/mlelib``): the real package is not mounted,
  so no thread or process of the submission can read or run it;
* a scratch *copy* of its own ``autograded/<student>/<assignment>`` folder, mounted at the real
  folder's path (so the kernel's working directory looks as usual, but nothing it writes there,
  symlinks included, reaches the real folder);
* a private ``/tmp`` and a private folder of its own holding its connection file and sockets
  (a new one for every kernel, removed when the kernel stops: see
  :func:`kernel_connection_file`);

with no network (all namespaces unshared; the kernel talks to nbgrader over ``ipc`` sockets),
an empty environment, no capabilities, and ``--die-with-parent``.

How it is wired (see ``nbgrader_config.py``): the kernelspec ``mle-sandbox`` in
``course/grading/kernelspec/kernels/`` runs ``python -m course.grading.sandbox -f
<connection file>``; ``JUPYTER_PATH`` gets :data:`KERNELSPEC_PATH` and ``c.Execute.kernel_name``
selects it; ``c.KernelManager.transport = "ipc"`` and ``c.KernelManager.connection_file`` put the
sockets in a private folder (:func:`connection_file`).

It fails closed: when ``bwrap`` is missing, the connection is not ``ipc`` or the sandbox cannot
start, this process exits with a message on stderr, nbgrader reports that the kernel died and
that submission is not graded. It never falls back to an unsandboxed kernel. On a machine
without bubblewrap an instructor may opt out explicitly with ``MLE_COURSE_UNSANDBOXED=1``
(:func:`unsandboxed`), which selects the plain ``python3`` kernel and logs a warning.

Environment variables:

``MLE_COURSE_UNSANDBOXED=1``
    grade with the plain ``python3`` kernel (not recommended; submissions can then read the
    solutions and write the gradebook).
``MLE_COURSE_BWRAP``
    the bubblewrap binary to use (default: ``bwrap`` on PATH).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "ENV_BWRAP",
    "ENV_UNSANDBOXED",
    "KERNEL_NAME",
    "KERNELSPEC_PATH",
    "SandboxError",
    "bwrap_command",
    "connection_file",
    "find_bwrap",
    "main",
    "unsandboxed",
]

KERNEL_NAME = "mle-sandbox"
KERNELSPEC_PATH = Path(__file__).resolve().parent / "kernelspec"
ENV_UNSANDBOXED = "MLE_COURSE_UNSANDBOXED"
ENV_BWRAP = "MLE_COURSE_BWRAP"
WARDEN_EXTENSION = "course._warden"
STANDIN = Path(__file__).resolve().parent / "standin" / "mlelib"
# One BLAS/OpenMP thread per kernel: several kernels share the cores during parallel
# autograde, and OpenBLAS's default threads made one cell 20x slower on a loaded machine.
KERNEL_ENV = {
    "MLE_COURSE_GRADING": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

# A submission folder holds one notebook and maybe a data file; refuse to copy a course root.
MAX_COPY_FILES = 2000
MAX_COPY_BYTES = 200 * 2**20

# Files of /etc that Python and its libraries read; nothing else of /etc is visible.
_ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "group",
    "mime.types",
)


class SandboxError(RuntimeError):
    """The sandboxed kernel cannot be started; the message says why and what to do."""


def unsandboxed() -> bool:
    """True when the instructor opted out of the sandbox with ``MLE_COURSE_UNSANDBOXED=1``."""
    return os.environ.get(ENV_UNSANDBOXED, "").strip().lower() in {"1", "true", "yes"}


def find_bwrap() -> str:
    """The bubblewrap binary: ``$MLE_COURSE_BWRAP`` if set, else ``bwrap`` on PATH."""
    configured = os.environ.get(ENV_BWRAP)
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise SandboxError(
                f"{ENV_BWRAP}={configured!r} is not an executable file: the autograde sandbox "
                "cannot start, so this submission is not graded."
            )
        return configured
    found = shutil.which("bwrap")
    if found is None:
        raise SandboxError(
            "bubblewrap (`bwrap`) was not found on PATH: the autograde sandbox cannot start, so "
            "this submission is not graded. Install it (Debian/Ubuntu: apt-get install "
            f"bubblewrap), point {ENV_BWRAP} at it, or - only on a machine you trust with the "
            f"submissions - set {ENV_UNSANDBOXED}=1 to grade without a sandbox."
        )
    return found


_private_root: tuple[int, Path] | None = None


def _remove_private_root(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _private_dir() -> Path:
    """This process's private (0700) folder, created on first use, removed when it exits."""
    global _private_root
    if _private_root is None or _private_root[0] != os.getpid():
        root = Path(tempfile.mkdtemp(prefix="mle-grading-"))
        (root / "conn").mkdir(mode=0o700)
        atexit.register(_remove_private_root, root)
        _private_root = (os.getpid(), root)
    return _private_root[1]


def connection_file() -> str:
    """A connection-file path in a private (0700) folder of this process.

    ``nbgrader_config.py`` sets it as ``c.KernelManager.connection_file``, so that every kernel
    manager of the process uses the ``ipc`` transport in a private folder. The grading
    preprocessor gives each sandboxed kernel a folder of its own instead
    (:func:`kernel_connection_file`).
    """
    return str(_private_dir() / "conn" / "kernel.json")


def kernel_connection_file() -> str:
    """A connection-file path in a NEW private (0700) folder, for one kernel.

    The sandbox mounts the kernel's connection folder read-write (its ipc sockets are created
    there), so a folder shared by the kernels that one grading process starts would let a
    submission stop the next kernels from starting (a folder where their connection file
    goes) or leave files for the next students to read. Each kernel gets its own folder, and
    :func:`remove_kernel_connection_folder` removes it once the kernel has stopped.
    """
    return os.path.join(tempfile.mkdtemp(prefix="conn-", dir=_private_dir()), "kernel.json")


def remove_kernel_connection_folder(conn_file: str) -> None:
    """Remove the folder :func:`kernel_connection_file` made for ``conn_file`` (and only that)."""
    folder = Path(conn_file).parent
    if _private_root is not None and folder.parent == _private_root[1]:
        shutil.rmtree(folder, ignore_errors=True)


def _package_dirs() -> dict[str, list[Path]]:
    # Imported here: the kernelspec runs this file as a script (``python -I sandbox.py``), where
    # an interpreter without the course installed must get a SandboxError, not a traceback.
    try:
        from course._warden import package_dirs
    except ImportError:
        raise SandboxError("the package 'course' cannot be found by this interpreter") from None
    dirs = {}
    for name, found in package_dirs().items():
        if not found:
            raise SandboxError(f"the package {name!r} cannot be found by this interpreter")
        dirs[name] = [Path(p).resolve() for p in found]
    return dirs


def _read_only_binds() -> list[str]:
    packages = _package_dirs()
    from course._warden import trusted_roots  # the same roots the warden trusts

    usr, *others = trusted_roots(
        [d for name, found in packages.items() if name != "mlelib" for d in found]
    )
    args: list[str] = ["--ro-bind", usr, usr]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for real in others:
        args += ["--ro-bind", real, real]
    # Last, so that it also covers an mlelib installed inside the virtualenv.
    for real in packages["mlelib"]:
        args += ["--ro-bind", str(STANDIN), str(real)]
    return args


def bwrap_command(
    bwrap: str,
    *,
    workdir: str | os.PathLike[str],
    scratch_work: str | os.PathLike[str],
    scratch_tmp: str | os.PathLike[str],
    conn_dir: str | os.PathLike[str],
    kernel_argv: list[str],
) -> list[str]:
    """The full ``bwrap ... -- <kernel_argv>`` command line.

    ``scratch_work`` (a copy of ``workdir``) is mounted at ``workdir``, the kernel's working
    directory; ``scratch_tmp`` is its ``/tmp``; ``conn_dir`` (connection file and ipc sockets) is
    mounted at its own path.
    """
    workdir = str(workdir)
    venv_bin = str(Path(sys.prefix) / "bin")
    return [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--clearenv",
        "--setenv",
        "PATH",
        f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--setenv",
        "MPLCONFIGDIR",
        "/tmp/matplotlib",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        *[arg for name, value in KERNEL_ENV.items() for arg in ("--setenv", name, value)],
        # /tmp first: the read-only binds below may lie under /tmp (a course cloned there), and
        # a later mount on /tmp would hide them.
        "--bind",
        str(scratch_tmp),
        "/tmp",
        *_read_only_binds(),
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--bind",
        str(conn_dir),
        str(conn_dir),
        "--bind",
        str(scratch_work),
        workdir,
        "--chdir",
        workdir,
        "--",
        *kernel_argv,
    ]


def _copy_workdir(src: Path, dest: Path) -> None:
    """Copy the submission folder (symlinks as links, never followed), refusing huge folders."""
    files = size = 0
    for root, _dirs, names in os.walk(src):
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
        if files > MAX_COPY_FILES or size > MAX_COPY_BYTES:
            raise SandboxError(
                f"the kernel's working directory {src} holds more than {MAX_COPY_FILES} files or "
                f"{MAX_COPY_BYTES // 2**20} MB; the sandbox copies it, and a submission folder "
                "should be small. Run the notebook from its own folder."
            )
    shutil.copytree(src, dest, symlinks=True)


def _matplotlib_cache() -> Path | None:
    """The host's matplotlib cache folder (its font list saves seconds per kernel)."""
    candidates = [os.environ.get("MPLCONFIGDIR")]
    candidates.append(os.path.join(os.environ.get("XDG_CACHE_HOME", ""), "matplotlib"))
    candidates.append(os.path.expanduser("~/.cache/matplotlib"))
    for c in candidates:
        if c and os.path.isabs(c) and os.path.isdir(c):
            return Path(c)
    return None


def _check_connection(conn_file: Path) -> Path:
    """The folder to bind for the kernel's sockets; SandboxError unless ipc in a private dir."""
    try:
        info = json.loads(conn_file.read_text())
    except (OSError, ValueError) as exc:
        raise SandboxError(f"cannot read the connection file {conn_file}: {exc}") from exc
    if info.get("transport") != "ipc":
        raise SandboxError(
            f"the connection file {conn_file} uses transport {info.get('transport')!r}; the "
            "sandbox has no network, so the kernel needs c.KernelManager.transport = 'ipc' "
            "(set in nbgrader_config.py)"
        )
    conn_dir = conn_file.resolve().parent
    ip = Path(info.get("ip", ""))
    if not ip.is_absolute() or ip.resolve().parent != conn_dir:
        raise SandboxError(
            f"the kernel's ipc sockets ({info.get('ip')!r}) must lie beside its connection file "
            f"in {conn_dir}; set c.KernelManager.connection_file to a private folder"
        )
    mode = conn_dir.stat().st_mode & 0o777
    if mode & 0o077:
        raise SandboxError(
            f"the folder of the connection file {conn_dir} is shared (mode {mode:o}); the "
            "sandbox mounts it, so it must be private (0700) to this kernel"
        )
    return conn_dir


def _parse(argv: list[str]) -> tuple[Path, list[str]]:
    if len(argv) < 2 or argv[0] != "-f":
        raise SandboxError(
            "usage: python -m course.grading.sandbox -f <connection file> [kernel arguments...]"
        )
    return Path(argv[1]), argv[2:]


def run(argv: list[str]) -> int:
    """Start the sandboxed kernel for the connection file in ``argv``; return its exit code."""
    conn_file, extra = _parse(argv)
    bwrap = find_bwrap()
    conn_dir = _check_connection(conn_file)
    workdir = Path.cwd().resolve()
    scratch = Path(tempfile.mkdtemp(prefix="mle-sandbox-", dir=conn_dir.parent))
    try:
        work, tmp = scratch / "work", scratch / "tmp"
        _copy_workdir(workdir, work)
        tmp.mkdir(mode=0o700)
        cache = _matplotlib_cache()
        if cache is not None:
            (tmp / "matplotlib").mkdir()
            for font_list in cache.glob("fontlist-*.json"):
                shutil.copy(font_list, tmp / "matplotlib" / font_list.name)
        kernel_argv = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            str(conn_file),
            "--HistoryManager.hist_file=:memory:",
            f"--IPKernelApp.extensions={WARDEN_EXTENSION}",
            *extra,
        ]
        cmd = bwrap_command(
            bwrap,
            workdir=workdir,
            scratch_work=work,
            scratch_tmp=tmp,
            conn_dir=conn_dir,
            kernel_argv=kernel_argv,
        )
        try:
            child = subprocess.Popen(cmd)
        except OSError as exc:
            raise SandboxError(f"cannot run {bwrap}: {exc}") from exc

        def forward(signum, _frame):
            child.send_signal(signum)

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, forward)
        code = child.wait()
        if code not in (0, -signal.SIGTERM, -signal.SIGKILL):
            print(
                f"course.grading.sandbox: the sandboxed kernel exited with code {code} "
                f"(bwrap: {bwrap})",
                file=sys.stderr,
            )
        return code
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the kernelspec: ``python -m course.grading.sandbox -f <file> [...]``."""
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except SandboxError as exc:
        print(f"course.grading.sandbox: SANDBOX NOT STARTED: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
