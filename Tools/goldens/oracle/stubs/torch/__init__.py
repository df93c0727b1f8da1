"""A fake ``torch`` package, only so that ``modelscope.pipelines`` can be imported without PyTorch.

``modelscope.pipelines`` (and modules it imports) say ``import torch`` and use torch names at import time (base
classes, decorators, type annotations), although the CSANMT translation pipeline runs on TensorFlow alone. The real
wheel would pull in gigabytes of CUDA libraries. This package answers every attribute and every ``torch.*``
submodule with an inert placeholder:

* ``torch.anything`` and ``torch.a.b.c`` resolve (submodules are made on demand by a meta-path finder);
* the placeholder class can be subclassed, instantiated and called; called with a single function it returns that
  function, so ``@torch.no_grad()``-style decorators leave functions unchanged.

It has no ``.dist-info``, so ``importlib.metadata.version('torch')`` fails and ModelScope's
``is_torch_available()`` is False: no torch code path is taken. Anything that really used torch would fail loudly
(calls return placeholders, not tensors), which is what a cross-check wants.

Only :mod:`oracle.pipeline_check` puts this folder on ``sys.path`` (and only when no real torch is installed).
"""
import importlib.abc
import importlib.machinery
import sys
import types

__version__ = '0.0.0+stub'


class _PlaceholderType(type):
    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return Placeholder


class Placeholder(metaclass=_PlaceholderType):
    """Any torch class, function or constant."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]                  # used as a decorator
        return Placeholder()

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return Placeholder


def _module_attribute(name):
    if name.startswith('__'):
        raise AttributeError(name)
    return Placeholder


__getattr__ = _module_attribute


class _SubmoduleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Creates an empty package for any ``torch.<name>`` import; its attributes are placeholders too."""

    def find_spec(self, fullname, path, target=None):
        if fullname.startswith('torch.'):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__getattr__ = _module_attribute
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _SubmoduleFinder())
