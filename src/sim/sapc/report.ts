/**
 * The override rig's report for a test engineer to hand on: Markdown and a self-contained HTML page (inline CSS, one
 * inline SVG chart per scenario: expected limit and measured power against time). Both carry the identity of the
 * equipment and software, the wall-clock time the report was generated, pass/fail per numbered requirement, answer
 * times, times to compliance and the wire trace. The JSON form is the RigReport itself.
 */
import type { RigReport, ScenarioReport } from './rig.js';
import type { SeriesPoint } from './context.js';

function stats(xs: number[]): string {
  if (!xs.length) return '—';
  const s = [...xs].sort((a, b) => a - b);
  const med = s[Math.floor((s.length - 1) / 2)]!;
  return s.length === 1 ? `${s[0]}` : `${med} (max ${s.at(-1)}, n=${s.length})`;
}

function resultOf(s: ScenarioReport): string {
  return s.skipped ? `NOT RUN (${s.skipped})` : s.passed ? 'PASS' : 'FAIL';
}

function identityLines(r: RigReport): Array<[string, string]> {
  const e = r.equipment;
  return [
    ['Generated', `${r.generatedAt} (wall clock)`],
    ['Rig clock', `${r.clockStart} → ${r.clockEnd} (${r.time} time)`],
    ['Equipment', [e.kind, e.manufacturer, e.model, e.serial && `serial ${e.serial}`, e.firmware && `firmware ${e.firmware}`].filter(Boolean).join(', ')],
    ...(e.notes ? [['Notes', e.notes] as [string, string]] : []),
    ['Software', `${r.software.name} ${r.software.version}, ${r.software.protocol}`],
    ['Line', `${r.line}${r.applyDelayMs !== undefined ? `; simulated control loop ${r.applyDelayMs} ms` : ''}`],
    ['Measurement', `${r.measurement}; rated ${r.ratedW} W${r.toleranceW ? `, tolerance ${r.toleranceW} W` : ''}`],
    ['Result', `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} not run` : ''}`],
  ];
}

/** Markdown summary (also what `gridbridge sapc rig` prints without --report). */
export function formatRigSummary(r: RigReport, opts: { traceLines?: number } = {}): string {
  const maxTrace = opts.traceLines ?? 40;
  const md = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['# SAPC override test report', ''];
  for (const [k, v] of identityLines(r)) lines.push(`- **${k}:** ${md(v)}`);
  lines.push('', '## Requirements', '', '| # | Requirement | Source | Result | Scenarios |', '|---|---|---|---|---|');
  for (const q of r.requirements) lines.push(`| ${q.id} | ${md(q.text)} | ${md(q.ref)} | ${q.result.toUpperCase()} | ${q.scenarios.join(', ') || '—'} |`);
  lines.push('', '## Scenarios', '', '| Scenario | Result | ACK latency (ms) | Override → compliant (ms) | Answers |', '|---|---|---|---|---|');
  for (const s of r.scenarios) lines.push(`| ${s.name} | ${resultOf(s)} | ${stats(s.ackMs)} | ${stats(s.latencyMs)} | ${md(s.answers.join('; '))} |`);
  for (const s of r.scenarios) {
    lines.push('', `### ${s.name} — ${resultOf(s)}`, '', `${s.description}. Requirements: ${s.requirements.join(', ')}.`, '');
    for (const c of s.checks) lines.push(`- ${c.ok ? '✔' : '✘'} [${c.req}] ${c.label}${c.detail ? ` — ${c.detail}` : ''}`);
    if (s.error) lines.push(`- ✘ error: ${s.error}`);
    if (s.trace.length) {
      lines.push('', 'Wire trace (ms from the scenario start; `>` rig → appliance, `<` appliance → rig):', '', '```');
      for (const t of s.trace.slice(0, maxTrace)) lines.push(traceText(t));
      const more = s.trace.length - maxTrace + s.traceDropped;
      if (more > 0) lines.push(`… ${more} more line(s) in the JSON report`);
      lines.push('```');
    }
  }
  return lines.join('\n') + '\n';
}

function traceText(t: { t: number; dir: string; text: string; note?: string }): string {
  return `${t.t.toFixed(1).padStart(9)} ${t.dir} ${t.text}${t.note ? `   (${t.note})` : ''}`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Step-line path through a series, held to `endT`. */
function stepPath(pts: SeriesPoint[], endT: number, x: (t: number) => number, y: (v: number) => number): string {
  if (!pts.length) return '';
  let d = `M${x(pts[0]!.t).toFixed(1)},${y(pts[0]!.value).toFixed(1)}`;
  for (let i = 1; i < pts.length; i++) d += ` H${x(pts[i]!.t).toFixed(1)} V${y(pts[i]!.value).toFixed(1)}`;
  return d + ` H${x(endT).toFixed(1)}`;
}

function niceStep(max: number, n: number): number {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  return ([1, 2, 5, 10].map((k) => k * p).find((k) => k >= raw) ?? raw) || 1;
}

/** An SVG chart of one scenario: expected limit (as W) and measured power against time. */
export function scenarioChart(s: ScenarioReport, ratedW: number): string {
  const W = 720;
  const H = 240;
  const m = { l: 64, r: 16, t: 30, b: 40 };
  const endT = Math.max(s.durationMs, ...s.power.map((p) => p.t), ...s.limit.map((p) => p.t), 1);
  const limitW = s.limit.map((p) => ({ t: p.t, value: (p.value * ratedW) / 100 }));
  const maxV = Math.max(ratedW, ...s.power.map((p) => p.value), 1) * 1.05;
  const x = (t: number) => m.l + (t / endT) * (W - m.l - m.r);
  const y = (v: number) => H - m.b - (Math.max(0, v) / maxV) * (H - m.t - m.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(s.name)}: limit and measured power against time">`];
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>`);
  const yStep = niceStep(maxV, 4);
  for (let v = 0; v <= maxV; v += yStep) out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/><text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${v}</text>`);
  const xStep = niceStep(endT / 1000, 6);
  for (let t = 0; t <= endT / 1000 + 1e-9; t += xStep) out.push(`<text x="${x(t * 1000).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${Number(t.toFixed(3))}</text>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">time since scenario start (s)</text>`);
  out.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">power (W)</text>`);
  out.push(`<path d="${stepPath(limitW, endT, x, y)}" fill="none" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"><title>expected limit</title></path>`);
  out.push(`<path d="${stepPath(s.power, endT, x, y)}" fill="none" stroke="#1565c0" stroke-width="2"><title>measured power</title></path>`);
  // Legend above the plot area, clear of the lines.
  out.push(`<g font-size="11"><line x1="${m.l}" x2="${m.l + 24}" y1="12" y2="12" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"/><text x="${m.l + 30}" y="16">expected limit (${ratedW} W = 100 %)</text>`);
  out.push(`<line x1="${m.l + 250}" x2="${m.l + 274}" y1="12" y2="12" stroke="#1565c0" stroke-width="2"/><text x="${m.l + 280}" y="16">measured power</text></g>`);
  out.push('</svg>');
  return out.join('');
}

/** A self-contained HTML report (no external resources). */
export function formatRigHtml(r: RigReport): string {
  const cls = (ok: boolean | undefined) => (ok === undefined ? 'na' : ok ? 'pass' : 'fail');
  const h: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>SAPC override test report</title>',
    '<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}',
    '.pass{color:#1b5e20;font-weight:600}.fail{color:#b71c1c;font-weight:600}.na{color:#777}pre{background:#f5f5f5;padding:8px;overflow-x:auto;font-size:12px}section{margin-top:2em}</style></head><body>',
    '<h1>SAPC override test report</h1>',
    '<table class="identity">',
  ];
  for (const [k, v] of identityLines(r)) h.push(`<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
  h.push('</table>', '<h2>Requirements</h2>', '<table><tr><th>#</th><th>Requirement</th><th>Source</th><th>Result</th><th>Scenarios</th></tr>');
  for (const q of r.requirements) h.push(`<tr><td>${q.id}</td><td>${esc(q.text)}</td><td>${esc(q.ref)}</td><td class="${cls(q.result === 'not tested' ? undefined : q.result === 'pass')}">${q.result.toUpperCase()}</td><td>${esc(q.scenarios.join(', ') || '—')}</td></tr>`);
  h.push('</table>', '<h2>Scenarios</h2>', '<table><tr><th>Scenario</th><th>Result</th><th>ACK latency (ms)</th><th>Override → compliant (ms)</th><th>Duration (ms)</th></tr>');
  for (const s of r.scenarios) h.push(`<tr><td><a href="#${esc(s.name)}">${esc(s.name)}</a></td><td class="${cls(s.skipped ? undefined : s.passed)}">${esc(resultOf(s))}</td><td>${stats(s.ackMs)}</td><td>${stats(s.latencyMs)}</td><td>${s.durationMs}</td></tr>`);
  h.push('</table>');
  for (const s of r.scenarios) {
    h.push(`<section id="${esc(s.name)}"><h3>${esc(s.name)} — <span class="${cls(s.skipped ? undefined : s.passed)}">${esc(resultOf(s))}</span></h3>`, `<p>${esc(s.description)}. Requirements: ${esc(s.requirements.join(', '))}.</p>`);
    if (s.skipped) {
      h.push('</section>');
      continue;
    }
    h.push(scenarioChart(s, r.ratedW));
    h.push('<table><tr><th>Req.</th><th>Check</th><th>Result</th><th>Detail</th></tr>');
    for (const c of s.checks) h.push(`<tr><td>${c.req}</td><td>${esc(c.label)}</td><td class="${cls(c.ok)}">${c.ok ? 'PASS' : 'FAIL'}</td><td>${esc(c.detail ?? '')}</td></tr>`);
    if (s.error) h.push(`<tr><td></td><td>error</td><td class="fail">FAIL</td><td>${esc(s.error)}</td></tr>`);
    h.push('</table>');
    h.push(`<p>ACK latency: ${stats(s.ackMs)} ms; override → compliant: ${stats(s.latencyMs)} ms. Answers: ${esc(s.answers.join('; ') || '—')}.</p>`);
    h.push('<details><summary>Wire trace (ms from the scenario start; &gt; rig → appliance, &lt; appliance → rig)</summary><pre>');
    for (const t of s.trace) h.push(esc(traceText(t)));
    if (s.traceDropped) h.push(esc(`… ${s.traceDropped} more line(s) not kept`));
    h.push('</pre></details></section>');
  }
  h.push('</body></html>');
  return h.join('\n') + '\n';
}
