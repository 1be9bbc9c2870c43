"""The HTML design-review report: one self-contained file (no network, inline CSS/JS, embedded SVGs).

Sections: the run (files, nodes added, scenarios, bounds), the verdict table, then one section per
counterexample with a step-through viewer (Prev/Next buttons and the arrow keys) showing, per step,
the action taken and the diff of every object (added / changed / removed, from the system's
``describe_state``), then the trace and lane graphs as embedded SVG images.

Safety: every user string is made visible (``traces.printable``: control characters, bidi marks)
and escaped (``html.escape``) where the page is built in Python; the step
data travels as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&``
escaped, and the script writes it with ``textContent`` only.  SVGs are embedded as ``data:`` image
URIs, so nothing in them can run.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

__all__ = ["write_report", "render_report", "step_data"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:20px} header p{margin:4px 0 0;color:#c8ccd6;font-size:13px}
main{padding:16px 28px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:14px 18px;margin:14px 0}
tr.object th{background:#eef1f6;text-align:left;font-size:13px;padding:6px 8px}
h2{font-size:17px;margin:0 0 10px} h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e6e9ef;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f6}
.v-violated{color:#fff;background:#c62828} .v-holds{color:#fff;background:#2e7d32}
.v-holds_within_bounds{color:#000;background:#ffb300} .v-error{color:#fff;background:#6a1b9a}
.v-sampled{color:#000;background:#90caf9}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.stepper{display:flex;gap:10px;align-items:center;margin:8px 0}
.stepper button{padding:4px 12px;font-size:13px;cursor:pointer}
.counter{font-weight:600;min-width:110px}
.action{padding:6px 10px;background:#fff8e1;border-left:4px solid #ffb300;margin:6px 0;font-size:13px}
.action.fair{background:#e8f0fe;border-left-color:#3367d6}
.diff td.k{width:32%} tr.added td{background:#e6f4ea} tr.removed td{background:#fde7e9;text-decoration:line-through}
tr.changed td{background:#fff4ce} tr.same td{color:#667}
.old{color:#a33;text-decoration:line-through;display:block}
.graphs img{max-width:100%;border:1px solid #e6e9ef;margin:6px 0;background:#fff}
.note{color:#556;font-size:13px}
.steps li.current{font-weight:700}
.badge:empty{display:none}
"""

_JS = r"""
(function(){
  const data = JSON.parse(document.getElementById('kc-data').textContent);
  const viewers = [];
  function cell(tr, text, cls){ const td=document.createElement('td'); if(cls) td.className=cls; td.textContent=text; tr.appendChild(td); return td; }
  function show(v){
    const t = data.traces[v.index], i = v.step, st = t.states[i];
    v.counter.textContent = 'step ' + i + ' of ' + (t.states.length-1);
    v.action.textContent = i === 0 ? t.initial : ('Step ' + i + ': ' + t.actions[i-1].text);
    v.action.className = 'action' + (i > 0 && t.actions[i-1].fair ? ' fair' : '');
    const body = v.table.tBodies[0]; body.textContent = '';
    const prev = i > 0 ? t.states[i-1] : null;
    const keys = Object.keys(st);
    if (prev) for (const k of Object.keys(prev)) if (!(k in st)) keys.push(k);
    const changed = [];
    for (const k of keys){
      const tr = document.createElement('tr');
      let kind = 'same';
      if (prev && !(k in prev)) kind = 'added'; else if (!(k in st)) kind = 'removed';
      else if (prev && prev[k] !== st[k]) kind = 'changed';
      if (kind !== 'same') changed.push(k);
      tr.className = kind;
      cell(tr, k, 'k mono');
      const td = cell(tr, '', 'mono');
      if (kind === 'changed'){ const o=document.createElement('span'); o.className='old'; o.textContent=prev[k]; td.appendChild(o); }
      const n=document.createElement('span'); n.textContent = (k in st) ? st[k] : prev[k]; td.appendChild(n);
      cell(tr, kind === 'same' ? '' : kind);
      body.appendChild(tr);
    }
    v.summary.textContent = i === 0 ? keys.length + ' objects' : (changed.length ? 'changed: ' + changed.join(', ') : 'nothing changed');
    v.prev.disabled = i === 0; v.next.disabled = i === t.states.length-1;
    v.list.querySelectorAll('li').forEach((li, j) => li.classList.toggle('current', j === i-1));
    const bad = t.bad.indexOf(i) >= 0; v.counter.classList.toggle('bad', bad);
    v.badge.textContent = bad ? (t.loop_start !== null ? 'in the violating loop' : 'violating state') : '';
  }
  document.querySelectorAll('.viewer').forEach(el => {
    const v = {index: +el.dataset.trace, step: 0, counter: el.querySelector('.counter'), action: el.querySelector('.action'),
      table: el.querySelector('table.diff'), summary: el.querySelector('.summary'), prev: el.querySelector('.prev'),
      next: el.querySelector('.next'), list: el.querySelector('.steps'), badge: el.querySelector('.badstate')};
    v.prev.addEventListener('click', () => { if (v.step > 0){ v.step--; show(v);} });
    v.next.addEventListener('click', () => { if (v.step < data.traces[v.index].states.length-1){ v.step++; show(v);} });
    for (const ev of ['mouseenter', 'focusin', 'click']) el.addEventListener(ev, () => { active = v; });
    viewers.push(v); show(v);
  });
  let active = viewers[0] || null;
  document.addEventListener('keydown', e => {
    if (!active) return;
    if (e.key === 'ArrowRight'){ active.next.click(); e.preventDefault(); }
    if (e.key === 'ArrowLeft'){ active.prev.click(); e.preventDefault(); }
  });
  window.kubecheckReport = {viewers: viewers, show: show};
})();
"""


def _e(text: Any) -> str:
    from traces import printable

    return html.escape(printable(text), quote=True)


def _json_script(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def step_data(trace: Any, system: Any) -> dict[str, Any]:
    """Per state, the ``describe_state`` dict; per step, the action text and whether it is fair."""
    from traces.describe import describe

    from traces import printable

    states = [{printable(k): printable(v) for k, v in describe(s, system).items()} for s in trace.states()]
    actions = []
    for s in trace.steps:
        a = s.action
        text = f"{s.actor}: {s.label}"
        data = getattr(a, "data", None)
        if getattr(a, "actor", "") in ("user", "fault") and data is not None:
            text += f" ({data[1] if a.actor == 'user' and isinstance(data, tuple) and len(data) == 2 else data})"
        actions.append({"text": printable(text), "fair": bool(getattr(a, "fair", True))})
    n = len(states) - 1
    bad = list(range(trace.loop_start, n + 1)) if trace.loop_start is not None else [n]
    initial = ("Initial state (the manifests as loaded: a start-up trace)" if getattr(trace, "engine", "") == "settle"
               else "Initial state (the settled cluster)")
    return {"states": states, "actions": actions, "loop_start": trace.loop_start, "bad": bad, "initial": initial}


def _svg_img(path: Path, alt: str) -> str:
    try:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return f'<p class="note">{_e(path.name)} was not written.</p>'
    return f'<img alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}">'


#: The order of a review: what needs action first (violations), then what was not decided, then the rest.
_RANK = {"violated": 0, "error": 1, "holds_within_bounds": 2, "sampled": 3, "holds": 5}


def _rank(f: Any) -> int:
    return 4 if getattr(f, "suppression", None) is not None else _RANK.get(f.verdict, 5)


def _object_of(f: Any) -> str:
    """The object a finding is shown under: where it is located, else its target."""
    loc = f.location
    return (getattr(loc, "object", "") if loc is not None else "") or f.target or "(cluster)"


def review_order(findings: Any) -> list[Any]:
    """Findings grouped by object, the objects with violations first; within an object, violations
    first, then errors, bounded, sampled, suppressed and holding findings (stable otherwise)."""
    items = list(findings)
    worst: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, f in enumerate(items):
        o = _object_of(f)
        worst[o] = min(worst.get(o, 9), _rank(f))
        first.setdefault(o, i)
    return sorted(items, key=lambda f: (worst[_object_of(f)], first[_object_of(f)], _rank(f)))


def _named(f: Any) -> str:
    """What a finding is about, by name: its target, else the objects it names (a cluster-wide rule's
    violation names the Service and workloads involved), else ``(cluster)``."""
    return f.target or ", ".join(getattr(f, "objects", ()) or ()) or "(cluster)"


def _fix(f: Any) -> str:
    """The concrete edit for a finding, else its rule's remediation (catalogue rules)."""
    if getattr(f, "fix", ""):
        return str(f.fix)
    from properties import CATALOGUE

    rule = CATALOGUE.get(f.rule_id)
    return rule.remediation if rule is not None else ""


def render_report(report: Any) -> str:
    """The report as one HTML string."""
    c = report.counts()
    rows = []
    current = None
    for f in review_order(report.findings):
        obj = _object_of(f)
        if obj != current:
            current = obj
            rows.append(f"<tr class='object'><th colspan='7'>{_e(obj)}</th></tr>")
        loc = f"{f.location.file}:{f.location.line}" if f.location else ""
        link = f'<a href="#trace-{_e(_anchor(f))}">trace</a>' if f.trace is not None and f.key in report.live else ""
        sup = getattr(f, "suppression", None)
        if sup is not None:
            link += f" <strong>suppressed</strong> ({_e(sup.kind)}): {_e(sup.justification)}"
        elif f.verdict == "violated" and _fix(f):
            link += f" <br><strong>fix:</strong> {_e(_fix(f))}"
        rows.append(
            f"<tr><td>{_e(f.scenario)}</td><td class='mono' style='white-space:nowrap'>{_e(f.rule_id)}</td><td>{_e(_named(f))}</td>"
            f"<td><span class='badge v-{_e(f.verdict)}'>{_e(f.verdict.upper())}</span></td><td>{_e(f.title)}</td>"
            f"<td class='mono'>{_e(loc)}</td><td class='note'>{_e(f.note)} {link}</td></tr>"
        )
    traces_data: list[dict[str, Any]] = []
    sections = []
    for f in review_order(report.findings):
        if f.trace is None or f.key not in report.live:
            continue
        trace, system = report.live[f.key]
        idx = len(traces_data)
        traces_data.append(step_data(trace, system))
        steps = "".join(f"<li class='mono'>{_e(s.split('. ', 1)[-1])}</li>" for s in f.trace.steps if not s.startswith("("))
        tdir = Path(f.trace.dir)
        sections.append(
            f"<section id='trace-{_e(_anchor(f))}'><h2>{_e(f.rule_id)} {_e(_named(f))} "
            f"<span class='badge v-{_e(f.verdict)}'>{_e(f.verdict.upper())}</span> "
            f"<span class='note'>scenario {_e(f.scenario)}</span></h2>"
            f"<p>{_e(f.title)}</p>" + (f"<p><strong>fix:</strong> {_e(_fix(f))}</p>" if _fix(f) else "")
            + f"<p class='note'>{_e(f.note)} Artifacts: <span class='mono'>{_e(f.trace.dir)}/</span></p>"
            f"<div class='viewer' data-trace='{idx}'>"
            "<div class='stepper'><button class='prev' type='button'>&#8592; Prev</button>"
            "<span class='counter'></span><button class='next' type='button'>Next &#8594;</button>"
            "<span class='summary note'></span><span class='badstate badge v-violated'></span></div>"
            "<div class='action'></div>"
            f"<ol class='steps'>{steps}</ol>"
            "<table class='diff'><thead><tr><th>object</th><th>state</th><th>change</th></tr></thead><tbody></tbody></table>"
            "</div>"
            "<div class='graphs'><h3>Trace</h3>"
            + _svg_img(tdir / "trace.svg", f"trace of {f.rule_id}")
            + "<h3>Lanes</h3>"
            + _svg_img(tdir / "lanes.svg", f"lanes of {f.rule_id}")
            + "</div></section>"
        )
    bounds = ", ".join(f"{k}={v}" for k, v in report.bounds if v is not None) or "none"
    scen_rows = "".join(
        f"<tr><td>{_e(s.name)}</td><td>{_e(s.description)}</td><td class='mono'>{_e('; '.join(s.user_actions) or '-')}</td>"
        f"<td class='mono'>{_e(', '.join(f'{k}={v}' for k, v in s.faults) or '-')}</td></tr>"
        for s in report.scenarios
    )
    expl_rows = "".join(
        f"<tr><td>{_e(e.scenario)}</td><td>{e.properties}</td><td>{e.states}</td><td>{e.transitions}</td><td>{e.max_depth}</td>"
        f"<td>{e.seconds:.1f}s</td><td>{_e(', '.join(e.reductions) or 'none')}</td><td>{_e(e.coverage)}</td></tr>"
        for e in report.explorations
    )
    nodes = (
        f"<p>No Node in the manifests: added {len(report.nodes_added)} identical Ready nodes ({_e(', '.join(report.nodes_added))}).</p>"
        if report.nodes_added else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>kubecheck report</title><style>{_CSS}</style></head>
<body><header><h1>kubecheck report: {_e(report.verdict.upper())} (exit {report.exit_code})</h1>
<p>{_e(', '.join(report.files))}</p></header><main>
<section><h2>Run</h2>{nodes}
<p>{c['violated']} violated, {c['holds']} hold, {c['holds_within_bounds']} bounded (inconclusive), {c['error']} error, {c['sampled']} sampled.
Engine {_e(report.engine)}; Kubernetes {_e(report.kubernetes_version)}, caches {_e(report.caches)}; bounds per search: {_e(bounds)}; settled in {report.settle_steps} steps{'' if report.settled else (' (start-up cut by ' + _e(report.settle_cut) + ': nothing is claimed)' if getattr(report, 'settle_cut', None) else ' (did NOT settle: livelock)')}.</p>
{_start_text(report)}
<table><thead><tr><th>scenario</th><th>what happens</th><th>user actions</th><th>faults</th></tr></thead><tbody>{scen_rows}</tbody></table>
<h3>Searches</h3>
<table><thead><tr><th>scenario</th><th>properties</th><th>states</th><th>transitions</th><th>depth</th><th>time</th><th>reductions</th><th>bound</th></tr></thead><tbody>{expl_rows}</tbody></table>
</section>
<section><h2>Verdicts</h2><table><thead><tr><th>scenario</th><th>rule</th><th>object</th><th>verdict</th><th>statement</th><th>manifest</th><th>note</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></section>
{''.join(sections) or "<section><h2>Counterexamples</h2><p>None: no property was violated.</p></section>"}
</main>
<script type="application/json" id="kc-data">{_json_script({"traces": traces_data})}</script>
<script>{_JS}</script>
</body></html>
"""


def _start_text(report: Any) -> str:
    if report.start == "settled":
        text = (f"Every scenario is explored from one settled state: the end of one deterministic start-up order "
                f"({report.settle_steps} steps from the manifests). \u201cExhaustive\u201d means exhaustive from that state; "
                "other start-up orders may place pods differently.")
    else:
        text = "The cluster did not settle: convergence was explored from the loaded manifests, the scenarios were not run."
    if report.startup_rules:
        text += (f" Start-up: {len(report.startup_rules)} invariant/action rule(s) checked on every step of the settle path "
                 "(violations under scenario \u201cstartup\u201d).")
    if report.after_convergence:
        text += f" Judged only after the first convergence: {', '.join(report.after_convergence)}."
    if report.not_applicable:
        text += f" Not checked (no target in the manifests): {', '.join(report.not_applicable)}."
    for w in getattr(report, "warnings", ()):
        text += f" Warning: {w}."
    return f"<p class='note' id='start'>{_e(text)}</p>"


def _anchor(f: Any) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "-", f.key).strip("-").lower()


def write_report(report: Any, path: str | Path) -> Path:
    """Write :func:`render_report` to ``path`` (its directory must exist, like ``-o``'s)."""
    p = Path(path)
    p.write_text(render_report(report), encoding="utf-8")
    return p
