/**
 * YAML loading that keeps positions, so every problem in a profile or mapping is reported as file:line:column plus
 * the field path. Schema validators return issues with paths into the raw document; `locate` turns them into lines.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isAlias, isCollection, isNode, isPair, visit, type Document } from 'yaml';
import type { ProfileError } from './errors.js';
import { formatPath } from './errors.js';

export interface Issue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

export interface LoadedYaml {
  file: string;
  data: unknown;
  /** Syntax errors, already located. When non-empty, `data` is not trustworthy. */
  errors: ProfileError[];
  locate(issue: Issue): ProfileError;
}

const MAX_ALIASES = 100;

/** The alias whose expansion is largest (the top of an alias bomb), with its offset in the text. */
function largestAlias(doc: Document): { source: string; size: number; offset: number } | undefined {
  const memo = new Map<unknown, number>();
  const size = (n: unknown, depth: number): number => {
    if (depth > 50) return Infinity;
    if (isAlias(n)) {
      const target = n.resolve(doc);
      if (memo.has(target)) return memo.get(target)!;
      const v = size(target, depth + 1);
      memo.set(target, v);
      return v;
    }
    if (isPair(n)) return size(n.key, depth + 1) + size(n.value, depth + 1);
    if (isCollection(n)) return (n.items as unknown[]).reduce<number>((a, c) => Math.min(a + size(c, depth + 1), 1e9), 1);
    return 1;
  };
  let best: { source: string; size: number; offset: number } | undefined;
  visit(doc, {
    Alias(_, node) {
      const v = size(node, 0);
      if (node.range && (!best || v > best.size)) best = { source: node.source, size: v, offset: node.range[0] };
    },
  });
  return best;
}

/** A stack overflow while parsing means nesting too deep for the parser: say so. */
const deepHint = (m: string): string => (/call stack/i.test(m) ? `${m}: collections nested too deeply` : m);

export function parseYamlText(text: string, file: string): LoadedYaml {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    // The parser can still throw on hostile input (e.g. call-stack exhaustion): a located error, never a crash.
    return { file, data: null, errors: [{ file, line: 1, path: '', message: deepHint(e instanceof Error ? e.message : String(e)) }], locate: (i) => ({ file, path: formatPath(i.path), message: i.message }) };
  }
  const errors: ProfileError[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, path: '', message: deepHint(e.message.split('\n')[0] ?? e.message) };
  });
  const locate = (issue: Issue): ProfileError => {
    const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
    // Walk up until a node exists (a missing field is reported at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { file, line: pos.line, column: pos.col, path: formatPath(issue.path), message: issue.message };
      }
    }
    return { file, path: formatPath(issue.path), message: issue.message };
  };
  let data: unknown = null;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const bomb = /alias/i.test(e instanceof Error ? e.message : '') ? largestAlias(doc) : undefined;
    if (bomb) {
      const pos = lineCounter.linePos(bomb.offset);
      errors.push({
        file, line: pos.line, column: pos.col, path: '',
        message: `alias *${bomb.source} expands to ${bomb.size > 1e6 ? 'over a million' : bomb.size} nodes: too many alias expansions (limit ${MAX_ALIASES}); is this an alias bomb?`,
      });
    } else errors.push({ file, path: '', message: deepHint(e instanceof Error ? e.message : String(e)) });
  }
  return { file, data, errors, locate };
}

export function loadYamlFile(file: string): LoadedYaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { file, data: null, errors: [{ file, path: '', message: reason }], locate: (i) => ({ file, path: formatPath(i.path), message: i.message }) };
  }
  return parseYamlText(text, file);
}

/** Convert zod issues (v4) to plain issues with paths. */
export function zodIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }, prefix: ReadonlyArray<PropertyKey> = []): Issue[] {
  return error.issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message }));
}
