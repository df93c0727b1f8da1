#!/usr/bin/env python3
"""Goldens for the shipped default model: ModelScope's own TF pipeline on the ModelScope folder rebuilt from
Weights/csanmt-zh2en-small (Tools/train-default-model/rebuild_modelscope_folder.py), so the Swift engine can be
checked against TF on real trained weights.

usage (from the repo root, oracle venv active):
  python Tools/goldens/make_default_model_goldens.py [--model Weights/csanmt-zh2en-small] [--out Tests/Fixtures/default-model]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SENTENCES = [
    '今天天气很好。', '我想喝一杯咖啡。', '这个文件无法打开，请检查权限。', '北京是中国的首都。',
    '他每天早上七点起床。', '请保存你的文档。', '我们明天去公园散步吧。', '这本书很有意思。',
    '点击“确定”按钮继续。', '机器翻译是自然语言处理的重要研究领域之一。',
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='Weights/csanmt-zh2en-small')
    ap.add_argument('--out', default='Tests/Fixtures/default-model')
    ap.add_argument('--reference-dir', default='../shared/reference')
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix='csanmt-default-goldens-')
    ms = os.path.join(work, 'modelscope')
    subprocess.run([sys.executable, os.path.join(here, '..', 'train-default-model', 'rebuild_modelscope_folder.py'),
                    a.model, ms], check=True)
    os.makedirs(a.out, exist_ok=True)
    npz = os.path.join(work, 'out.npz')
    out = subprocess.run([sys.executable, os.path.join(a.reference_dir, 'oracle_dump.py'), ms,
                          '<SENT_SPLIT>'.join(SENTENCES), npz, '--beam', '4'],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    d = json.loads(out)
    translations = d['translation'].split('<SENT_SPLIT>')
    with open(os.path.join(a.out, 'expected.jsonl'), 'w') as f:
        for i, s in enumerate(SENTENCES):
            ids = [x for x in d['input_ids'][i] if x != 0]
            beam = list(d['output_seqs_beam0'][i]) + [0]
            f.write(json.dumps({'text': s, 'input_ids': ids, 'output_ids': beam[:beam.index(0)],
                                'translation': translations[i]}, ensure_ascii=False) + '\n')
    with open(os.path.join(a.out, 'README.md'), 'w') as f:
        f.write('# Default-model goldens\n\nModelScope\'s TF pipeline (beam 4) on the ModelScope folder rebuilt from '
                '`Weights/csanmt-zh2en-small`, for `Tests/ServerTests/DefaultModelTests.swift`.\n\n'
                'Regenerate (oracle venv from `../shared/reference/README.md`):\n\n'
                '```bash\npython Tools/goldens/make_default_model_goldens.py\n```\n')
    print('wrote', len(SENTENCES), 'cases to', a.out)


if __name__ == '__main__':
    main()
