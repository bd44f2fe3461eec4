"""The optional compiled kernel (compgraph/_kernel.c); everything else is in setup.cfg.

Without a C compiler, or with COMPGRAPH_BUILD_KERNEL=0, the package installs
without it and runs every pass on the Python engine.
"""

import os

from setuptools import Extension, setup

build_kernel = os.environ.get("COMPGRAPH_BUILD_KERNEL", "1") != "0"
kernel = Extension(
    "compgraph._kernel", ["compgraph/_kernel.c"], optional=True, extra_compile_args=["-O2"]
)
setup(ext_modules=[kernel] if build_kernel else [])
