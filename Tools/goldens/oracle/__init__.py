"""The numerical oracle behind the engine, pipeline and default-model golden fixtures.

ModelScope's CSANMT model *is* the reference: ``modelscope.models.nlp.csanmt.translation`` (the TensorFlow code
behind the released ``damo/nlp_csanmt_translation_*`` models, pinned as ``modelscope==1.40.2`` in
``Tools/goldens/requirements.txt``). The modules here only drive that code offline and record what it computes;
none of them re-implements the model, except :mod:`oracle.numpy_port`, which exists to cross-check it.

Modules (each one runs as ``python -m oracle.<module> --help`` with ``Tools/goldens`` as the working directory or
on ``PYTHONPATH``):

``tiny``
    builds CSANMT with a small random configuration, randomises every variable, saves a checkpoint with the real
    variable names and records encoder output, semantic vector, teacher-forced log-probs and beam 4 / beam 1
    results. Shape parameters, source batch and teacher-forced target are arguments.
``tiny_folder``
    wraps a tiny checkpoint into a complete ModelScope model folder (configuration.json, vocabularies, BPE codes
    learned on five sentences), so the whole text-to-text pipeline runs on it.
``dump``
    runs the pipeline's preprocessing (jieba / Moses + subword-nmt BPE + vocabulary), ModelScope's beam search and
    the pipeline's postprocessing on any ModelScope CSANMT folder (tiny or trained), without ``modelscope.pipelines``.
``pipeline_check``
    runs the real ``modelscope.pipelines.pipeline(Tasks.translation, ...)`` on a folder, to check ``dump`` against
    it (needs ``requirements-pipeline-check.txt`` and the fake ``torch`` in ``stubs/``).
``numpy_port``
    an independent numpy implementation of CSANMT inference (encoders, decoder, beam search), reading checkpoints
    with ``ckpt_reader``; compared with every ``tiny`` run by ``make_engine_goldens.py``.
``ckpt_reader``
    a TensorFlow-free reader of TF "tensor bundle" checkpoints.

TensorFlow is imported lazily (see :func:`oracle.tfv1.tf_v1`), so ``numpy_port`` and ``ckpt_reader`` need numpy
only.
"""

SENT_SPLIT = '<SENT_SPLIT>'
"""The pipeline's sentence separator: the input text is split on it and the sentences are decoded as one batch."""
