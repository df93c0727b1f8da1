"""Run the real ``modelscope.pipelines`` translation pipeline on a local model folder (a cross-check of oracle.dump).

:mod:`oracle.dump` reproduces ``TranslationPipeline``'s preprocessing and postprocessing without importing
``modelscope.pipelines``. This module runs the genuine article, ``pipeline(task=Tasks.translation, model=DIR)``, so
the two can be compared: ``make_pipeline_goldens.py`` checks that padded input ids, best-beam ids and the returned
translation are equal.

``modelscope.pipelines`` needs more than the oracle venv has:

* the packages of ``Tools/goldens/requirements-pipeline-check.txt`` (datasets, pyarrow, Pillow, simplejson), either
  in the venv or in a folder given with ``--extra-path`` / ``PYTHONPATH``;
* ``torch``: when it is not installed, the fake package in ``oracle/stubs/`` is put first on ``sys.path`` (see its
  docstring; the CSANMT path never uses torch).

Prints, one per line: ``input_ids <json>``, ``output_seqs <json>``, ``output_scores <json>``,
``postprocess <json>``, ``__call__ <json>`` (the last two are the pipeline's result dicts).

usage: python -m oracle.pipeline_check MODEL_DIR TEXT [--extra-path DIR]
"""
import argparse
import importlib.util
import json
import os
import sys
import time

STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'stubs')


def prepare_imports(extra_path=None):
    """Make ``modelscope.pipelines`` importable: extra packages, and the fake torch when torch is missing."""
    if extra_path:
        sys.path.insert(0, os.path.abspath(extra_path))
    if importlib.util.find_spec('torch') is None:
        sys.path.insert(0, STUBS)
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')


def run_pipeline(model_dir, text):
    """Build the pipeline on ``model_dir`` and run it on ``text``; return its intermediate and final results."""
    from modelscope.pipelines import pipeline
    from modelscope.utils.constant import Tasks
    p = pipeline(task=Tasks.translation, model=model_dir, device='cpu')
    pre = p.preprocess(text)
    fwd = p.forward(pre)
    return {'input_ids': pre['input_ids'].tolist(), 'output_seqs': fwd['output_seqs'].tolist(),
            'output_scores': fwd['output_scores'].tolist(), 'postprocess': p.postprocess(fwd), '__call__': p(text)}


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m oracle.pipeline_check', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model_dir', metavar='MODEL_DIR', help='ModelScope CSANMT folder')
    ap.add_argument('text', metavar='TEXT', help='input text (<SENT_SPLIT> separates sentences)')
    ap.add_argument('--extra-path', default=None, metavar='DIR',
                    help='folder holding the packages of requirements-pipeline-check.txt (pip install --target DIR)')
    a = ap.parse_args(argv)
    prepare_imports(a.extra_path)
    t0 = time.time()
    res = run_pipeline(os.path.abspath(a.model_dir), a.text)
    print('pipeline ran in %.1f s' % (time.time() - t0))
    for key in ('input_ids', 'output_seqs', 'output_scores', 'postprocess', '__call__'):
        print(key, json.dumps(res[key], ensure_ascii=False))


if __name__ == '__main__':
    main()
