"""An independent numpy implementation of CSANMT inference, to cross-check the TensorFlow oracle.

Written from reading ModelScope's ``modelscope/models/nlp/csanmt/translation.py`` (the released models' code) and
sharing no code with it: the weights come from :mod:`oracle.ckpt_reader` (no TensorFlow), and every operation is
spelled out in float32 numpy. It is an executable form of the model specification:

* source: ids plus one appended ``</s>`` (0); the mask hides padding but always keeps position 0 (the "shifted
  mask": ``[1, m_0, ..., m_{S-1}]``);
* encoder: embedding * sqrt(H) + sinusoidal timing signal, masked, + ``encoder_input_bias``; N layers of
  self-attention and ReLU feed-forward with residuals, layer norm before (pre-norm) or after (post-norm) each
  sub-layer, the output masked after each layer, a final layer norm in pre-norm;
* semantic encoder ("mini XLM"): its own embedding * sqrt(H), no timing signal, relative-position attention
  (``rpr_k``/``rpr_v`` tables, distances clipped to +-``max_relative_dis``), masked mean pooling, a linear layer
  and, in pre-norm, a layer norm: the semantic vector r ``[B, 1, H]``;
* decoder layer: r through an "embedding augmentation" feed-forward added to the input, then causal
  self-attention (incremental, with a key/value cache), encoder-decoder attention and feed-forward; tied softmax;
* beam search: a literal port of ModelScope's ``beam_search`` (alive and finished sets of ``beam`` hypotheses,
  2*beam candidates per step, length penalty ``((5 + t) / 6) ** lp_rate``, early stop when no alive hypothesis can
  beat the worst finished one, per-row choice between the finished and the alive set at the end).

Layer-norm variable names follow TF's creation order inside each layer (``layer_norm``, ``layer_norm_1``, ...).

usage: python -m oracle.numpy_port RUN        (RUN made by ``python -m oracle.tiny RUN``; prints max |diff|)
"""
import argparse
import json

import os
import sys

if __package__ in (None, ''):   # run as a file (python Tools/goldens/oracle/X.py): make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from oracle.ckpt_reader import load_checkpoint

F32 = np.float32
FLOAT32_MIN = np.finfo(np.float32).min   # tf.float32.min: ModelScope's "minus infinity" in beam search
MASK_NEG = F32(-1e9)                     # attention_bias(..., inf=-1e9)
LN_EPSILON = F32(1e-6)


class NumpyCsanmt:
    """CSANMT with weights ``W`` (``{variable name: array}``) and the configuration's ``model`` section ``p``.

    Expects one embedding shared by source, target and softmax (``NmtModel/Shared_Embedding/Weights``), as in the
    released models and the tiny runs.
    """

    def __init__(self, W, p):
        self.W, self.p = W, p
        self.H = p['hidden_size']
        self.heads = p['num_heads']
        self.pre_norm = p['layer_preproc'] == 'layer_norm'
        self.post_norm = p['layer_postproc'] == 'layer_norm'
        self.embedding = W['NmtModel/Shared_Embedding/Weights']
        self.semantic_embedding = W['NmtModel/Shared_Semantic_Embedding/Weights']

    # ---------------- building blocks ----------------

    def layer_norm(self, x, scope):
        scale = self.W[scope + '/layer_norm_scale']
        offset = self.W[scope + '/layer_norm_offset']
        mean = x.mean(-1, keepdims=True)
        var = np.square(x - mean).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + LN_EPSILON) * scale + offset

    def linear(self, x, scope):
        return x @ self.W[scope + '/matrix'] + self.W[scope + '/bias']

    def before(self, x, ln_scope):
        """Input of a sub-layer: layer-normed in pre-norm, unchanged in post-norm."""
        return self.layer_norm(x, ln_scope) if self.pre_norm else x

    def after(self, x, ln_scope):
        """Output of a residual connection: layer-normed in post-norm, unchanged in pre-norm."""
        return self.layer_norm(x, ln_scope) if self.post_norm else x

    def to_heads(self, x):                 # [B, T, H] -> [B, heads, T, H/heads]
        B, T, H = x.shape
        return x.reshape(B, T, self.heads, H // self.heads).transpose(0, 2, 1, 3)

    def from_heads(self, x):               # [B, heads, T, d] -> [B, T, heads*d]
        B, heads, T, d = x.shape
        return x.transpose(0, 2, 1, 3).reshape(B, T, heads * d)

    def attention(self, scope, queries, memory, bias, cache=None, max_relative=None):
        """Multi-head attention: self-attention (``memory`` None, one fused qkv projection) or encoder-decoder
        attention (q from ``queries``, fused kv from ``memory``). ``cache`` (dict with 'k', 'v') accumulates keys
        and values for incremental decoding; ``max_relative`` turns on relative-position keys and values."""
        H = self.H
        if memory is None:
            qkv = self.linear(queries, scope + '/qkv_transform')
            q, k, v = qkv[..., :H], qkv[..., H:2 * H], qkv[..., 2 * H:]
        else:
            q = self.linear(queries, scope + '/q_transform')
            kv = self.linear(memory, scope + '/kv_transform')
            k, v = kv[..., :H], kv[..., H:]
        if cache is not None:
            cache['k'] = k = np.concatenate([cache['k'], k], 1)
            cache['v'] = v = np.concatenate([cache['v'], v], 1)
        q, k, v = self.to_heads(q), self.to_heads(k), self.to_heads(v)
        q = q * F32((H // self.heads) ** -0.5)
        logits = q @ k.transpose(0, 1, 3, 2)
        if max_relative is not None:
            n = k.shape[2]
            distance = np.arange(n)[:, None] - np.arange(n)[None, :]
            index = np.clip(distance, -max_relative, max_relative) + max_relative     # [Lq, Lk]
            rel_k = self.W[scope + '/rpr_k'][index]                                  # [Lq, Lk, d]
            rel_v = self.W[scope + '/rpr_v'][index]
            logits = logits + np.einsum('bhqd,qkd->bhqk', q, rel_k)
        logits = logits + bias
        logits = logits - logits.max(-1, keepdims=True)
        weights = np.exp(logits)
        weights = weights / weights.sum(-1, keepdims=True)
        context = weights @ v
        if max_relative is not None:
            context = context + np.einsum('bhqk,qkd->bhqd', weights, rel_v)
        return self.linear(self.from_heads(context), scope + '/output_transform')

    def feed_forward(self, x, scope):
        hidden = np.maximum(self.linear(x, scope + '/input_layer/linear'), 0)
        return self.linear(hidden, scope + '/output_layer/linear')

    @staticmethod
    def timing_signal(length, channels):
        """ModelScope's ``add_timing_signal`` table ``[length, channels]`` (sin half, then cos half)."""
        n = channels // 2
        log_increment = np.log(1e4 / 1.0) / (F32(n) - 1)
        inv_timescales = np.exp(np.arange(n, dtype=F32) * -F32(log_increment)).astype(F32)
        scaled = np.arange(length, dtype=F32)[:, None] * inv_timescales[None, :]
        signal = np.concatenate([np.sin(scaled), np.cos(scaled)], 1)
        if channels % 2:
            signal = np.pad(signal, [[0, 0], [0, 1]])
        return signal.astype(F32)

    # ---------------- encoders ----------------

    @staticmethod
    def source_masks(src):
        """``(ids with </s> appended, shifted mask [B, S+1], attention bias [B, 1, 1, S+1])``."""
        ids = np.concatenate([src, np.zeros_like(src[:, :1])], 1)
        mask = (ids != 0).astype(F32)
        shifted = np.concatenate([np.ones_like(mask[:, :1]), mask[:, :-1]], 1)
        bias = ((1 - shifted) * MASK_NEG)[:, None, None, :]
        return ids, shifted, bias

    def encoder_stack(self, x, scope, n_layers, mask, bias, max_relative=None):
        for i in range(n_layers):
            layer = '%s/layer_%d' % (scope, i)
            ln_attention, ln_ffn = layer + '/layer_norm', layer + '/layer_norm_1'
            y = self.attention(layer + '/encoder_self_attention', self.before(x, ln_attention), None, bias,
                               max_relative=max_relative)
            x = self.after(x + y, ln_attention)
            y = self.feed_forward(self.before(x, ln_ffn), layer + '/ffn_layer')
            x = self.after(x + y, ln_ffn)
            x = x * mask[..., None]
        return x

    def encode(self, src):
        """Encoder output ``[B, S+1, H]`` and the attention bias the decoder uses over it."""
        ids, mask, bias = self.source_masks(src)
        x = self.embedding[ids] * F32(self.H ** 0.5)
        x = x + self.timing_signal(x.shape[1], self.H)[None]
        x = x * mask[..., None]
        x = x + self.W['NmtModel/encoder_input_bias']
        x = self.encoder_stack(x, 'NmtModel/encoder', self.p['num_encoder_layers'], mask, bias)
        if self.pre_norm:
            x = self.layer_norm(x, 'NmtModel/encoder/layer_norm')
        return x, bias

    def semantic(self, src):
        """The semantic vector r ``[B, 1, H]``."""
        ids, mask, bias = self.source_masks(src)
        x = self.semantic_embedding[ids] * F32(self.H ** 0.5)
        x = x * mask[..., None]
        scope = 'NmtModel/mini_xlm_encoder'
        x = self.encoder_stack(x, scope, self.p['num_semantic_encoder_layers'], mask, bias,
                               max_relative=self.p['max_relative_dis'])
        pooled = x.sum(1) / mask.sum(1, keepdims=True)
        r = self.linear(pooled[:, None, :], scope + '/pooling_layer/linear')
        if self.pre_norm:
            r = self.layer_norm(r, scope + '/layer_norm')
        return r

    # ---------------- decoder ----------------

    def decoder_step(self, x, enc, enc_bias, r, caches):
        """Log-probs ``[N, V]`` of the next token. ``x`` ``[N, 1, H]`` is the current position's input
        (previous token's embedding * sqrt(H), zeros at step 0, + timing signal); ``caches`` grow by one step."""
        for i in range(self.p['num_decoder_layers']):
            layer = 'NmtModel/decoder/layer_%d' % i
            ln = [layer + '/layer_norm' + suffix for suffix in ('', '_1', '_2', '_3')]
            if self.pre_norm:
                x = x + self.feed_forward(self.layer_norm(r, ln[0]), layer + '/embedding_augmentation_layer')
            else:
                x = self.layer_norm(x + self.feed_forward(r, layer + '/embedding_augmentation_layer'), ln[0])
            y = self.attention(layer + '/decoder_self_attention', self.before(x, ln[1]), None, 0.0, cache=caches[i])
            x = self.after(x + y, ln[1])
            y = self.attention(layer + '/encdec_attention', self.before(x, ln[2]), enc, enc_bias)
            x = self.after(x + y, ln[2])
            y = self.feed_forward(self.before(x, ln[3]), layer + '/ffn_layer')
            x = self.after(x + y, ln[3])
        if self.pre_norm:
            x = self.layer_norm(x, 'NmtModel/decoder/layer_norm')
        logits = x[:, -1, :] @ self.embedding.T
        top = logits.max(-1, keepdims=True)
        return logits - top - np.log(np.exp(logits - top).sum(-1, keepdims=True))

    # ---------------- beam search ----------------

    def beam_search(self, src, beam):
        """``(output_seqs [B, beam, T], output_scores [B, beam])`` exactly as ModelScope's beam search returns them."""
        p, H, V = self.p, self.H, self.p['trg_vocab_size']
        B = src.shape[0]
        alpha, max_len = F32(p['lp_rate']), p['max_decoded_trg_len']
        enc, enc_bias = self.encode(src)
        r = self.semantic(src)
        enc, enc_bias, r = (np.repeat(t, beam, axis=0) for t in (enc, enc_bias, r))
        caches = [{'k': np.zeros((B * beam, 0, H), F32), 'v': np.zeros((B * beam, 0, H), F32)}
                  for _ in range(p['num_decoder_layers'])]

        def top_k(x, k):
            index = np.argsort(-x, axis=1, kind='stable')[:, :k]
            return np.take_along_axis(x, index, 1), index

        def gather_rows(a, index):          # per batch row b: a[b][index[b]]
            return np.stack([a[b][index[b]] for b in range(a.shape[0])])

        # Alive set: sequences end with a placeholder 0 that the next step overwrites.
        alive_seqs = np.zeros((B, beam, 1), np.int64)
        alive_log_probs = np.tile(np.array([[0.] + [FLOAT32_MIN] * (beam - 1)], F32), (B, 1))
        alive_scores = np.zeros_like(alive_log_probs)
        fin_seqs = alive_seqs.copy()
        fin_scores = np.full((B, beam), FLOAT32_MIN, F32)
        fin_flags = np.zeros((B, beam), bool)

        t = 0
        while True:
            # _is_finished: stop at max_len, or when every row's worst finished beats its best possible alive.
            max_penalty = F32(((5.0 + max_len) / 6.0) ** alpha)
            best_alive = alive_log_probs[:, 0] / max_penalty
            worst_finished = (fin_scores * fin_flags.astype(F32)).min(1)
            worst_finished = worst_finished + FLOAT32_MIN * (1.0 - fin_flags.any(1).astype(F32))
            if not (t < max_len and not np.all(worst_finished > best_alive)):
                break
            # _beam_search_step
            if alive_seqs.shape[2] > 1:
                previous = alive_seqs[:, :, -2].reshape(-1)
                x = self.embedding[previous][:, None, :] * F32(H ** 0.5)
            else:
                x = np.zeros((B * beam, 1, H), F32)
            x = x + self.timing_signal(t + 1, H)[t][None, None, :]
            step = self.decoder_step(x, enc, enc_bias, r, caches).reshape(B, beam, V)
            log_probs = alive_log_probs[:, :, None] + step
            penalty = F32(((5.0 + (t + 1)) / 6.0) ** alpha)
            scores = (log_probs / penalty).reshape(B, beam * V)
            top_scores, top_index = top_k(scores, 2 * beam)
            origin, symbol = top_index // V, top_index % V
            candidates = gather_rows(alive_seqs, origin)
            candidates = np.concatenate([candidates[:, :, :-1], symbol[:, :, None],
                                         np.zeros((B, 2 * beam, 1), np.int64)], 2)
            is_eos = symbol == 0
            # new alive set: the best `beam` candidates that did not end
            new_alive_scores, pick = top_k(top_scores + is_eos.astype(F32) * FLOAT32_MIN, beam)
            picked_symbol = gather_rows(symbol, pick)
            picked_origin = gather_rows(origin, pick)
            alive_seqs = gather_rows(alive_seqs, picked_origin)
            alive_seqs = np.concatenate([alive_seqs[:, :, :-1], picked_symbol[:, :, None],
                                         np.zeros((B, beam, 1), np.int64)], 2)
            flat_origin = (np.arange(B)[:, None] * beam + picked_origin).reshape(-1)
            for c in caches:
                c['k'], c['v'] = c['k'][flat_origin], c['v'][flat_origin]
            alive_log_probs = new_alive_scores * penalty
            # new finished set: the best `beam` of the old finished and the candidates that ended
            step_finished = top_scores + (1.0 - is_eos.astype(F32)) * FLOAT32_MIN
            fin_scores, pick = top_k(np.concatenate([fin_scores, step_finished], 1), beam)
            fin_flags = gather_rows(np.concatenate([fin_flags, is_eos], 1), pick)
            grown = np.concatenate([fin_seqs, np.zeros((B, beam, 1), np.int64)], 2)
            fin_seqs = gather_rows(np.concatenate([grown, candidates], 1), pick)
            alive_scores = new_alive_scores
            t += 1
        any_finished = fin_flags.any(1)
        seqs = np.where(any_finished[:, None, None], fin_seqs, alive_seqs)[:, :, :-1]
        scores = np.where(any_finished[:, None], fin_scores, alive_scores)
        return seqs, scores


def load_run(run_dir):
    """The model of a tiny run folder: ``NumpyCsanmt`` from its configuration.json and checkpoint."""
    with open(os.path.join(run_dir, 'configuration.json')) as f:
        params = json.load(f)['model']
    return NumpyCsanmt(load_checkpoint(os.path.join(run_dir, 'tf_ckpts', 'ckpt-0')), params)


def compare_with_oracle(run_dir):
    """Run the port on a tiny run's source batch and compare with the oracle's npz files.

    Returns ``{'encoder_max_abs_diff', 'semantic_max_abs_diff', 'beam4_seqs_identical', 'beam4_scores_max_abs_diff',
    'beam1_seqs_identical', 'beam1_scores_max_abs_diff'}``; differences are float32 scalars (None when the score
    shapes differ), plus ``'mismatch'``: per beam size, both sequence arrays when they differ.
    """
    model = load_run(run_dir)
    oracle = np.load(os.path.join(run_dir, 'beam4_outputs.npz'))
    src = oracle['src']
    enc, _ = model.encode(src)
    res = {'encoder_max_abs_diff': np.abs(enc - oracle['encoder_output']).max(),
           'semantic_max_abs_diff': np.abs(model.semantic(src) - oracle['semantic_vector']).max()}
    mismatch = {}
    for beam in (4, 1):
        ref = np.load(os.path.join(run_dir, 'beam%d_outputs.npz' % beam))
        seqs, scores = model.beam_search(src, beam)
        same = seqs.shape == ref['output_seqs'].shape and np.array_equal(seqs, ref['output_seqs'])
        res['beam%d_seqs_identical' % beam] = bool(same)
        res['beam%d_scores_max_abs_diff' % beam] = (np.abs(scores - ref['output_scores']).max()
                                                   if scores.shape == ref['output_scores'].shape else None)
        if not same:
            mismatch[beam] = {'numpy': seqs.tolist(), 'tf': ref['output_seqs'].tolist()}
    res['mismatch'] = mismatch
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m oracle.numpy_port', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('run_dir', metavar='RUN', help='folder written by python -m oracle.tiny')
    a = ap.parse_args(argv)
    res = compare_with_oracle(a.run_dir)
    print('encoder max|diff|', res['encoder_max_abs_diff'])
    print('semantic max|diff|', res['semantic_max_abs_diff'])
    for beam in (4, 1):
        diff = res['beam%d_scores_max_abs_diff' % beam]
        print('beam', beam, 'seqs identical:', res['beam%d_seqs_identical' % beam],
              'scores max|diff|', 'shape mismatch' if diff is None else diff)
        if beam in res['mismatch']:
            print(' numpy', res['mismatch'][beam]['numpy'])
            print(' tf   ', res['mismatch'][beam]['tf'])


if __name__ == '__main__':
    main()
