#!/usr/bin/env python3
"""Rebuild a ModelScope CSANMT folder from a csanmt-swift model folder (e.g. the shipped Weights/csanmt-zh2en-small).

The model folder keeps ModelScope's tensor names, so this is a plain copy back: read model.safetensors (F32 or F16,
parsed here without the safetensors package), build ModelScope's inference graph from config.json, load every
variable by name, save tf_ckpts/ckpt-0, and write configuration.json plus the vocab and BPE files. The result runs
with ModelScope's own pipeline (Tools/goldens/oracle/dump.py or pipeline_check.py).

usage: python rebuild_modelscope_folder.py MODEL_DIR OUT_DIR
"""
import argparse
import json
import os
import shutil
import struct

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
from modelscope.models.nlp.csanmt.translation import CsanmtForTranslation  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, e in header.items():
            if name == '__metadata__':
                continue
            dtype = {'F32': np.float32, 'F16': np.float16}[e['dtype']]
            b, end = e['data_offsets']
            f.seek(base + b)
            out[name] = np.frombuffer(f.read(end - b), dtype=dtype).reshape(e['shape']).astype(np.float32)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model_dir')
    ap.add_argument('out_dir')
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(a.model_dir, 'config.json')))
    weights = read_safetensors(os.path.join(a.model_dir, cfg['weights']))
    params = dict(
        hidden_size=cfg['hidden_size'], filter_size=cfg['filter_size'], num_heads=cfg['num_heads'],
        num_encoder_layers=cfg['num_encoder_layers'], num_decoder_layers=cfg['num_decoder_layers'],
        num_semantic_encoder_layers=cfg['num_semantic_encoder_layers'], src_vocab_size=cfg['src_vocab_size'],
        trg_vocab_size=cfg['trg_vocab_size'], layer_preproc=cfg['layer_preproc'], layer_postproc=cfg['layer_postproc'],
        max_relative_dis=cfg['max_relative_dis'], attention_dropout=0.0, residual_dropout=0.0, relu_dropout=0.0,
        shared_embedding_and_softmax_weights=True, shared_source_target_embedding=True, initializer_scale=0.1,
        position_info_type='absolute', seed=1234, beam_size=cfg['decoding']['beam_size'],
        lp_rate=cfg['decoding']['length_penalty'], max_decoded_trg_len=cfg['decoding']['max_length'], device='cpu')
    os.makedirs(os.path.join(a.out_dir, 'tf_ckpts'), exist_ok=True)
    g = tf1.Graph()
    with g.as_default():
        model = CsanmtForTranslation(a.out_dir, **params)
        model(tf1.placeholder(tf.int64, [None, None], name='input_wids'))
        variables = tf1.global_variables()
        names = {v.name[:-2] for v in variables}
        missing, extra = names - set(weights), set(weights) - names
        assert not missing and not extra, ('missing', sorted(missing)[:5], 'extra', sorted(extra)[:5])
        with tf1.Session(graph=g) as sess:
            for v in variables:
                v.load(weights[v.name[:-2]], sess)
            tf1.train.Saver(variables).save(sess, os.path.join(a.out_dir, 'tf_ckpts', 'ckpt-0'), write_meta_graph=False)
    with open(os.path.join(a.out_dir, 'tf_ckpts', 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "ckpt-0"\nall_model_checkpoint_paths: "ckpt-0"\n')
    tok = cfg.get('tokenizer', {})
    for key in ('src_vocab', 'trg_vocab', 'src_bpe', 'trg_bpe'):
        if tok.get(key):
            shutil.copy(os.path.join(a.model_dir, tok[key]), a.out_dir)
    model_section = {k: v for k, v in params.items() if k != 'device'}
    json.dump({'framework': 'tensorflow', 'task': 'translation', 'pipeline': {'type': 'csanmt-translation'},
               'model': dict(type='csanmt-translation', **model_section),
               'dataset': {'src_vocab': {'file': tok.get('src_vocab', 'src_vocab.txt')},
                           'trg_vocab': {'file': tok.get('trg_vocab', 'trg_vocab.txt')}},
               'preprocessor': {'src_lang': cfg['source_language'], 'tgt_lang': cfg['target_language'],
                                'src_bpe': {'file': tok.get('src_bpe', 'bpe.zh')},
                                'tgt_bpe': {'file': tok.get('trg_bpe', 'bpe.en')}}},
              open(os.path.join(a.out_dir, 'configuration.json'), 'w'), indent=2, ensure_ascii=False)
    print('wrote', a.out_dir, len(variables), 'variables')


if __name__ == '__main__':
    main()
