"""Learning curves of a training campaign: a compact summary of the trainers' JSON-lines logs and a
PNG drawn from it with matplotlib (Debian's python3-matplotlib; no torch needed).

    python3 -m wavediff_models.plot_curves --logs stage1.jsonl inversionnet.jsonl --summary curves.json \
        [--targets targets.json] --png learning-curves.png
    python3 -m wavediff_models.plot_curves --summary curves.json --png learning-curves.png   # remake

An existing --summary is the history the logs continue (see summarize): the committed summary keeps the
campaign's curves when the logs, kept in the training cache, are lost.

The logs are what `train` writes on stdout (one JSON object a line, appended over resumed runs).
Their 'metrics' lines (step, split, samples_seen and the held-out metrics) become, per network kind
and split, series against samples seen; 'progress' lines give the training time (elapsed_s) at each
evaluation. The series are the history of the last run's checkpoint: a 'start' line cuts them back
to its step (what earlier runs logged after it is work that checkpoint does not hold, so a step
evaluated twice keeps its last line); a new run (resumed false) cuts them to nothing, unless it was
started from trained weights (its 'earlier': --init-weights, a velocity-decoder refit, stage 2 on a new
stage 1), whose training it continues: its steps, samples seen and time count on from that training's
totals.

stdout: one JSON object, {"summary": PATH, "png": PATH or null, "trends": [...]}, where each trend
follows one target's curve through two points as a power law m = c * samples**b: the ends of the last
two learning-rate cycles that were evaluated (both at the bottom of a cosine decay; between two points
inside a cycle the decay itself shows as progress that more samples would not repeat), or the last two
points where fewer than two cycles have ended; only points measured on the same set as the last one
(the metrics lines' 'data' digest) count, so a held-out set that changed under the curve (new data) is
not read as progress or regress:
    b = ln(m2 / m1) / ln(s2 / s1),  doubling the samples gives m2 * 2**b,
    reaching the target t < m2 (b < 0) takes s2 * (t / m2) ** (1 / b) samples in all.
"""
import argparse
import json
import math
import os
import sys
import tempfile

FORMAT = 'wavediff/learning-curves'
# Per kind, the metrics drawn (in this order); a metric a log does not have is left out.
PANELS = {
    'inversionnet': ['velocity_mae'],
    'stage1': ['velocity_mae', 'seismic_relative_l2_amplitude'],
    'stage2': ['eps_mse', 'velocity_mae'],
}
KIND_ORDER = ['stage1', 'inversionnet', 'stage2']


def read_log(path):
    """(kind, [message dicts]) of one JSON-lines log; the kind from its 'start' lines, else the file name."""
    messages = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                messages.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}:{number}: not a JSON line ({e.msg}); is this a trainer log?') from None
    kinds = {m.get('kind') for m in messages if m.get('type') == 'start'}
    kinds.discard(None)
    if len(kinds) > 1:
        raise ValueError(f'{path}: holds runs of several kinds ({", ".join(sorted(kinds))}); give one log per kind')
    kind = kinds.pop() if kinds else os.path.splitext(os.path.basename(path))[0]
    return kind, messages


def summarize_messages(messages):
    """{split: {'step': [...], 'samples_seen': [...], 'elapsed_s': [...], 'metrics': {name: [...]}}},
    sorted by step; only scalar numeric metrics are kept. A run that builds on earlier training (its
    start line's 'earlier', e.g. a velocity-decoder refit) counts its steps, samples and time on from
    that training's totals."""
    elapsed_at = {}
    by_split = {}
    offset = {'steps': 0, 'samples_seen': 0, 'training_time_s': 0.0}
    for m in messages:
        if m.get('type') == 'start':
            offset = {k: (m.get('earlier') or {}).get(k) or 0 for k in offset}
            if m.get('resumed'):
                kept = offset['steps'] + m.get('step', 0)
            else:  # a new run: it continues the training it was started from, or nothing
                kept = offset['steps'] if m.get('earlier') else -1
            elapsed_at = {k: v for k, v in elapsed_at.items() if k <= kept}
            by_split = {split: {k: v for k, v in rows.items() if k <= kept} for split, rows in by_split.items()}
        if m.get('type') == 'progress' and isinstance(m.get('elapsed_s'), (int, float)):
            elapsed_at[offset['steps'] + m['step']] = offset['training_time_s'] + m['elapsed_s']
        if m.get('type') == 'metrics':
            step = offset['steps'] + m['step']
            seen = m.get('samples_seen')
            row = dict(m, step=step, samples_seen=offset['samples_seen'] + seen if seen is not None else None)
            by_split.setdefault(m.get('split', 'validation'), {})[step] = row
    progress_steps = sorted(elapsed_at)
    out = {}
    for split, rows in by_split.items():
        steps = sorted(rows)
        if not steps:
            continue
        names = sorted({k for r in rows.values() for k, v in r.items()
                        if k not in ('type', 'step', 'split', 'samples_seen', 'samples', 'denoise_timestep')
                        and isinstance(v, (int, float)) and not isinstance(v, bool)})
        elapsed = []
        for s in steps:
            earlier = [p for p in progress_steps if p <= s]
            elapsed.append(elapsed_at[earlier[-1]] if earlier else None)
        out[split] = {
            'step': steps,
            'samples_seen': [rows[s].get('samples_seen') for s in steps],
            'elapsed_s': elapsed,
            'data': [rows[s].get('data') for s in steps],
            'metrics': {n: [rows[s].get(n) for s in steps] for n in names},
        }
    return out


def summarize(paths, targets=None, earlier=None):
    """The summary of the logs; with `earlier` (a summary), the logs continue its history: each kind's
    series start as the earlier summary's, which the logs' start lines then cut back as usual, and kinds
    without a log are kept. So a lost log (a lost training cache) loses nothing the summary held."""
    kinds = dict(earlier['kinds']) if earlier else {}
    logged = set()
    for path in paths:
        kind, messages = read_log(path)
        if kind in logged:
            raise ValueError(f'{path}: a second log of {kind}; give one log per kind')
        logged.add(kind)
        history = summary_messages(kinds[kind]) if kind in kinds else []
        earlier_ends = kinds[kind].get('cycle_ends', []) if kind in kinds else []
        kinds[kind] = {'log': os.path.basename(path), 'splits': summarize_messages(history + messages),
                       'cycle_ends': cycle_ends(messages, earlier_ends)}
    return {'format': FORMAT, 'version': 1, 'kinds': kinds, 'targets': list(targets or [])}


def summary_messages(kind_summary):
    """One kind's summarised series as the log lines they came from (progress lines carrying the
    training time, metrics lines), so that a log can continue them."""
    messages = []
    for split, series in kind_summary['splits'].items():
        for i, step in enumerate(series['step']):
            if series['elapsed_s'][i] is not None:
                messages.append({'type': 'progress', 'step': step, 'elapsed_s': series['elapsed_s'][i]})
            values = {name: v[i] for name, v in series['metrics'].items() if v[i] is not None}
            data = series.get('data', [None] * len(series['step']))[i]
            messages.append({'type': 'metrics', 'step': step, 'split': split,
                             'samples_seen': series['samples_seen'][i], **values, **({'data': data} if data else {})})
    return sorted(messages, key=lambda m: m['step'])


def cycle_ends(messages, earlier_ends=()):
    """The end steps of the learning-rate cycles: each run's as its 'start' line declares them (counted
    on from its 'earlier' training), after the ends of the training it was started from (`earlier_ends`
    and earlier runs in the log, up to where it began); a cycle that the next one replaced before it
    ended has no end."""
    ends = list(earlier_ends)
    for start in (m for m in messages if m.get('type') == 'start'):
        offset = (start.get('earlier') or {}).get('steps') or 0
        cycles = (start.get('config') or {}).get('train', {}).get('cycles', [])
        own = [offset + c['end'] for c, after in zip(cycles, cycles[1:] + [None])
               if after is None or c['end'] <= after['start']]
        before = [e for e in ends if e <= offset] if start.get('earlier') else []
        ends = before + [e for e in own if e not in before]
    return ends


def trend(samples, values, target, steps=None, ends=(), data=None):
    """A curve as a power law through two points (module docstring): the last two evaluated ends of
    the cycles `ends` (steps), else its last two points; None below two usable points. With `data`
    (each point's set digest) only the points measured on the last point's set count."""
    n = len(samples)
    data = data or [None] * n
    first = n
    while first > 0 and data[first - 1] is not None and data[first - 1] == data[-1]:
        first -= 1
    if data[-1] is None:
        first = 0  # a curve logged before sets were identified: read it whole, as logged
    usable = [(step, s, v) for step, s, v in list(zip(steps or [None] * n, samples, values))[first:]
              if s and v is not None and v > 0]
    end_steps = set(ends)
    at_ends = [(s, v) for step, s, v in usable if step in end_steps]
    points = at_ends if len(at_ends) >= 2 else [(s, v) for _, s, v in usable]
    if len(points) < 2:
        return None
    (s1, m1), (s2, m2) = points[-2], points[-1]
    if s2 <= s1:
        return None
    b = math.log(m2 / m1) / math.log(s2 / s1)
    if m2 <= target:
        to_target = s2
    elif b < 0:
        to_target = s2 * (target / m2) ** (1 / b)
    else:
        to_target = None  # not improving: no amount of samples reaches it at this slope
    return {'samples_seen': s2, 'value': m2, 'previous_samples_seen': s1, 'previous_value': m1,
            'exponent': b, 'value_at_double': m2 * 2 ** b, 'samples_to_target': to_target}


def training_rate(split):
    """Samples per second of training time over the whole curve (None without timing)."""
    pairs = [(s, e) for s, e in zip(split['samples_seen'], split['elapsed_s']) if s and e]
    return pairs[-1][0] / pairs[-1][1] if pairs else None


def trends(summary):
    out = []
    for t in summary.get('targets', []):
        split = summary['kinds'].get(t['kind'], {}).get('splits', {}).get(t['split'])
        if not split or t['metric'] not in split['metrics']:
            continue
        ends = summary['kinds'][t['kind']].get('cycle_ends', [])
        result = trend(split['samples_seen'], split['metrics'][t['metric']], t['limit'], split['step'], ends,
                       split.get('data'))
        if result:
            rate = training_rate(split)
            result.update(t, samples_per_s=rate)
            out.append(result)
    return out


def plot(summary, png):
    import matplotlib.pyplot as plt

    fig = figure(summary)
    _atomic(png, lambda f: fig.savefig(f, format='png', dpi=110))
    plt.close(fig)


def figure(summary):
    """The learning-curve panels of a summary as a matplotlib figure (one panel per network and metric)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    panels = [(kind, metric) for kind in KIND_ORDER + sorted(set(summary['kinds']) - set(KIND_ORDER))
              if kind in summary['kinds']
              for metric in PANELS.get(kind, ['velocity_mae'])
              if any(metric in s['metrics'] for s in summary['kinds'][kind]['splits'].values())]
    if not panels:
        raise ValueError('the logs hold no metrics lines to draw (was the campaign run with --eval-every?)')
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    for ax, (kind, metric) in zip(axes.flat, panels):
        for split, series in sorted(summary['kinds'][kind]['splits'].items()):
            values = series['metrics'].get(metric)
            if values:
                ax.plot(series['samples_seen'], values, marker='o', markersize=3, label=split)
        limits = {}
        for t in summary.get('targets', []):
            if t['kind'] == kind and t['metric'] == metric:
                limits.setdefault(t['limit'], []).append(t['split'])
        for limit, splits in limits.items():  # one line and one label for splits sharing a limit
            ax.axhline(limit, linestyle='--', linewidth=0.8, color='grey')
            ax.annotate(f'target {", ".join(splits)} {limit:g}', (0.01, limit), xycoords=('axes fraction', 'data'),
                        fontsize=7, color='grey', va='bottom')
        ax.set_xscale('log')
        ax.set_yscale('log')
        _compact_sample_ticks(ax)
        ax.set_title(f'{kind}: {metric}', fontsize=10)
        ax.set_xlabel('samples seen')
        ax.grid(True, which='both', linewidth=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis('off')
    fig.tight_layout()
    return fig


def compact_count(x):
    """A sample count as a short tick label: 20k, 1.5M."""
    for scale, suffix in ((1e6, 'M'), (1e3, 'k')):
        if x >= scale:
            return f'{x / scale:g}{suffix}'
    return f'{x:g}'


def _compact_sample_ticks(ax):
    # Matplotlib's default labels minor ticks as 3x10^4, 4x10^4... on a one-decade axis, and they overlap.
    from matplotlib.ticker import FuncFormatter

    def minor(x, _pos):
        low, high = ax.get_xlim()
        decades = math.log10(high / low) if low > 0 else math.inf
        mantissa = round(x / 10 ** math.floor(math.log10(x) + 1e-9), 6)
        return compact_count(x) if decades < 2 and mantissa in (2, 5) else ''

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: compact_count(x)))
    ax.xaxis.set_minor_formatter(FuncFormatter(minor))


def _atomic(path, write):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.')
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_summary(path):
    with open(path, encoding='utf-8') as f:
        try:
            summary = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not a learning-curve summary ({e.msg})') from None
    if summary.get('format') != FORMAT:
        raise ValueError(f'{path}: not a learning-curve summary (format {summary.get("format")!r})')
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.plot_curves', description=__doc__.split('\n')[0])
    p.add_argument('--logs', nargs='+', help='trainer JSON-lines logs, one per network kind')
    p.add_argument('--summary', required=True,
                   help='curve summary: with --logs, continued by them (or made) and written; else read')
    p.add_argument('--targets', help='JSON list of {kind, split, metric, limit} to draw and to follow (with --logs)')
    p.add_argument('--png', help='draw the curves here')
    args = p.parse_args(argv)
    try:
        if args.logs:
            targets = json.load(open(args.targets, encoding='utf-8')) if args.targets else []
            earlier = read_summary(args.summary) if os.path.exists(args.summary) else None
            summary = summarize(args.logs, targets, earlier)
            _atomic(args.summary, lambda f: f.write((json.dumps(summary, indent=1) + '\n').encode('utf-8')))
        else:
            summary = read_summary(args.summary)
        if args.png:
            plot(summary, args.png)
    except (OSError, ValueError) as e:
        sys.stderr.write(f'plot_curves: {e}\n')
        return 1
    json.dump({'summary': os.path.abspath(args.summary), 'png': os.path.abspath(args.png) if args.png else None,
               'trends': trends(summary)}, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
