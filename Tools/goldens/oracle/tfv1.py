"""TensorFlow in ModelScope's mode: graph mode (TF1 compat API), warnings off.

ModelScope's CSANMT code is written against ``tf.compat.v1`` and needs eager execution disabled before any graph is
built. Import TensorFlow through :func:`tf_v1` so that the flags are set once, before the first TF import, and so
that modules which only need numpy do not import TensorFlow at all.
"""
import os

_TF = None


def tf_v1():
    """Return ``(tf, tf.compat.v1)`` with eager execution disabled (TensorFlow imported on first use)."""
    global _TF
    if _TF is None:
        os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
        import tensorflow as tf
        tf.compat.v1.disable_eager_execution()
        _TF = (tf, tf.compat.v1)
    return _TF


def csanmt():
    """ModelScope's CSANMT module, ``modelscope.models.nlp.csanmt.translation`` (after :func:`tf_v1`)."""
    tf_v1()
    from modelscope.models.nlp.csanmt import translation
    return translation


def teacher_forced_probes(model, inp, params):
    """Build, on the model's own variables, the tensors the beam-search graph does not expose.

    Must be called after ``model(inp)`` (which creates the variables). Adds a ``trg_wids`` placeholder ``[B, T]``
    and returns ``(trg, probes)``, where ``probes`` maps

    * ``encoder_output`` ``[B, S+1, H]`` and ``encoder_bias``: ``model.encoding_graph`` (the model appends ``</s>``);
    * ``semantic_vector`` ``[B, 1, H]``: ``model.semantic_encoding_graph``, the continuous semantic vector r;
    * ``decoder_output`` ``[B, T, H]``: ModelScope's ``transformer_decoder`` run teacher-forced on ``trg`` shifted
      right (a zero vector at step 0), with causal self-attention, as one training-style pass;
    * ``teacher_forced_logprobs`` ``[B, T, V]``: log-softmax of the tied output projection at each position.

    The decoder input is built exactly as ModelScope's ``decoding_graph`` builds it (embedding * sqrt(H), shifted,
    plus the timing signal when ``position_info_type`` is ``absolute``).
    """
    tf, tf1 = tf_v1()
    T = csanmt()
    H = params['hidden_size']
    V = params['trg_vocab_size']
    shared = params['shared_source_target_embedding']
    with tf1.variable_scope('NmtModel', reuse=tf1.AUTO_REUSE):
        enc, enc_bias = model.encoding_graph(inp, params)
        sem = model.semantic_encoding_graph(inp, params, name=None if shared else 'source')
        trg = tf1.placeholder(tf.int64, [None, None], name='trg_wids')
        with tf1.variable_scope('Shared_Embedding' if shared else 'Target_Embedding', reuse=True):
            emb = tf1.get_variable('Weights')
        x = tf.gather(emb, tf.cast(trg, tf.int32)) * (H ** 0.5)
        x = tf.pad(x, [[0, 0], [1, 0], [0, 0]])[:, :-1, :]
        if params['position_info_type'] == 'absolute':
            x = T.add_timing_signal(x)
        dec, _ = T.transformer_decoder(x, enc, T.attention_bias(tf.shape(x)[1], 'causal'), enc_bias, None, None,
                                       embedding_augmentation=sem, params=params)
        logits = tf.matmul(tf.reshape(dec, [-1, H]), emb, transpose_b=True)
        logp = tf.reshape(tf.nn.log_softmax(logits), tf.concat([tf.shape(dec)[:2], [V]], 0))
    return trg, {'encoder_output': enc, 'encoder_bias': enc_bias, 'semantic_vector': sem,
                 'decoder_output': dec, 'teacher_forced_logprobs': logp}
