"""The stand-in for the reference library inside the grading sandbox.

:mod:`course.grading.sandbox` mounts this folder over the real ``mlelib`` package, so the
sandboxed kernel cannot import, read or run the reference solutions on any thread or in any
process. Every attribute is a function that raises ``MlelibNotAvailable`` when called.
"""

from course._warden import MlelibNotAvailable, standin_module

_standin = standin_module(__name__)


def __getattr__(name):
    return getattr(_standin, name)


__all__ = ["MlelibNotAvailable"]
