"""Build the compiled core ``ecosystem._core`` (and the OpenAlex reader's common path
``ecosystem.readers._openalex_fast``); all metadata lives in pyproject.toml.

OpenMP is probed at build time by compiling *and linking* a tiny program. When the
probe fails (or ``ECOSYSTEM_NO_OPENMP=1`` is set) the extension is built serially and
one warning says so; ``ecosystem.show_config()`` reports the choice at run time.
``ECOSYSTEM_CYTHON_DEBUG=1`` turns bounds checking back on for debugging.
"""

import os
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OPENMP_TEST = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        return n > 0 ? 0 : 1;
    }
    """
)


def _openmp_flags(compiler):
    """Return (compile_args, link_args) that enable OpenMP, or None if it does not work."""
    if os.environ.get("ECOSYSTEM_NO_OPENMP", "0") not in ("", "0"):
        return None
    if compiler.compiler_type == "msvc":
        candidates = [(["/openmp"], [])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    for compile_args, link_args in candidates:
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "openmp_probe.c")
            with open(source, "w") as f:
                f.write(OPENMP_TEST)
            try:
                objects = compiler.compile([source], output_dir=tmp, extra_postargs=compile_args)
                compiler.link_executable(
                    objects, "openmp_probe", output_dir=tmp, extra_postargs=link_args
                )
            except Exception:  # any compile or link failure means "no OpenMP"
                continue
        return compile_args, link_args
    return None


class BuildExtWithOpenMP(build_ext):
    """build_ext that adds OpenMP flags when the compiler can use them."""

    def build_extensions(self):
        flags = _openmp_flags(self.compiler)
        if flags is None:
            warnings.warn(
                "ecosystem is being built WITHOUT OpenMP: every kernel will run on one "
                "thread. Install a compiler with OpenMP support (gcc, or clang with libomp "
                "via CPPFLAGS/LDFLAGS) and rebuild to enable parallel kernels.",
                stacklevel=1,
            )
        for ext in self.extensions:
            if flags is not None:
                ext.extra_compile_args += flags[0]
                ext.extra_link_args += flags[1]
        super().build_extensions()


debug = os.environ.get("ECOSYSTEM_CYTHON_DEBUG", "0") not in ("", "0")
directives = {
    "language_level": 3,
    "boundscheck": debug,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": debug,
    "embedsignature": True,
}
compile_args = ["-O3"] if sys.platform != "win32" else ["/O2"]

extensions = [
    Extension(
        "ecosystem._core",
        ["src/ecosystem/_core.pyx"],
        include_dirs=[np.get_include(), "src/ecosystem"],
        depends=sorted(str(p) for ext in ("pxi", "h") for p in Path("src/ecosystem").glob(f"*.{ext}")),
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=list(compile_args),
    ),
    # the common path of the OpenAlex works reader (no OpenMP, no numpy headers)
    Extension(
        "ecosystem.readers._openalex_fast",
        ["src/ecosystem/readers/_openalex_fast.pyx"],
        extra_compile_args=list(compile_args),
    ),
]

setup(
    ext_modules=cythonize(extensions, compiler_directives=directives),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
