/**
 * XML for IEEE 2030.5: a thin wrapper on fast-xml-parser (DOCTYPE rejected, `parseTagValue: false`, namespaces
 * stripped so `csipaus:` extensions parse as plain names) and a serializer that writes elements in the order of the
 * zod schema shape, which every resource file declares in XSD sequence order (sep.xsd, IEEE 2030.5-2018).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { DecodeError, formatPath } from '../../core/errors.js';

export const SEP2_NS = 'urn:ieee:std:2030.5:ns';
/** Namespace used by clients built on pre-2018 drafts (SEP 2.0 / 2030.5-2013 era). */
export const SEP2_LEGACY_NS = 'http://ieee.org/2030.5';
export const CSIPAUS_NS = 'https://csipaus.org/ns';
export const SEP2_CONTENT_TYPE = 'application/sep+xml';

/** XML attributes (everything else in a shape is an element). */
export const ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'subscribable', 'all', 'results', 'pollRate', 'replyTo', 'responseRequired']);
/** Elements of the CSIP-AUS extension namespace (written with the `csipaus:` prefix). */
export const CSIPAUS_ELEMENTS: ReadonlySet<string> = new Set(['opModImpLimW', 'opModExpLimW', 'opModGenLimW', 'opModLoadLimW', 'doeModesSupported', 'doeModesEnabled']);
/** Elements added by 2030.5-2018 that older peers reject; dropped when serializing for `legacy`. */
export const ELEMENTS_2018_ONLY: ReadonlySet<string> = new Set(['deviceCategory', 'postRate', 'alarmStatus', 'setESRampTms']);

export const MAX_XML_BYTES = 4 * 1024 * 1024;

/** A 2030.5 body that is not well-formed, hostile, or does not match the resource schema. `path` names the element. */
export class Sep2XmlError extends DecodeError {
  constructor(
    reason: string,
    offset: number,
    /** Element path, e.g. `DERControlList.DERControl[2].DERControlBase.opModFixedW`. */
    readonly path: string,
  ) {
    super(path ? `${path}: ${reason}` : reason, offset, 'sep2');
    this.name = 'Sep2XmlError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) break;
    off = nl + 1;
  }
  return off + Math.max(0, col - 1);
}

type Raw = Record<string, unknown>;

/** Attributes come out of fast-xml-parser as `@_name`; the models use plain names. */
function normalise(v: unknown, depth: number): unknown {
  if (depth > 64) throw new Sep2XmlError('nesting deeper than 64 elements', 0, '');
  if (Array.isArray(v)) return v.map((x) => normalise(x, depth + 1));
  if (v && typeof v === 'object') {
    const o: Raw = {};
    for (const [k, val] of Object.entries(v as Raw)) {
      const key = k.startsWith('@_') ? k.slice(2) : k;
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      o[key] = normalise(val, depth + 1);
    }
    return o;
  }
  return v;
}

/** Parse well-formed XML into a plain tree and return the root element's name and content. */
export function parseXmlTree(text: string): { root: string; body: unknown } {
  if (text.length > MAX_XML_BYTES) throw new Sep2XmlError(`body larger than ${MAX_XML_BYTES} bytes`, MAX_XML_BYTES, '');
  const dt = text.search(/<!(DOCTYPE|ENTITY)/i);
  if (dt >= 0) throw new Sep2XmlError('DOCTYPE/ENTITY declarations are not allowed', dt, '');
  const v = XMLValidator.validate(text);
  if (v !== true) throw new Sep2XmlError(`malformed XML: ${v.err.msg}`, offsetOf(text, v.err.line, v.err.col), '');
  let tree: Raw;
  try {
    tree = parser.parse(text) as Raw;
  } catch (e) {
    throw new Sep2XmlError(`malformed XML: ${e instanceof Error ? e.message : String(e)}`, 0, '');
  }
  const roots = Object.keys(tree).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (roots.length !== 1) throw new Sep2XmlError(`expected one root element, found ${roots.length}`, 0, '');
  const root = roots[0]!;
  return { root, body: normalise(tree[root], 0) };
}

/** Parse `text` as the resource `rootName` (or one of `alsoAccept`) validated by `schema`. Throws Sep2XmlError. */
export function parseResource<S extends z.ZodType>(text: string, rootName: string, schema: S, alsoAccept: readonly string[] = []): z.output<S> {
  const { root, body } = parseXmlTree(text);
  if (root !== rootName && !alsoAccept.includes(root)) throw new Sep2XmlError(`expected <${rootName}>, found <${root}>`, 0, root);
  const r = schema.safeParse(body === '' ? {} : body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = formatPath([root, ...issue.path]);
    throw new Sep2XmlError(issue.message, 0, path);
  }
  return r.data;
}

export interface SerializeOptions {
  /** Write the pre-2018 namespace and leave out 2018-only and csipaus elements (for older peers). */
  legacy?: boolean;
  /** Pretty-print with two-space indentation (tests, docs); default compact. */
  pretty?: boolean;
  /** Leave out the XML declaration. */
  noDeclaration?: boolean;
  /** Skip validating the value against the schema before writing (only for values that were just parsed). */
  trusted?: boolean;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

interface ZDef {
  type: string;
  innerType?: z.ZodType;
  out?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}
function defOf(s: z.ZodType): ZDef {
  return (s as unknown as { _zod: { def: ZDef } })._zod.def;
}
/** Strip optional/default/nullable/pipe wrappers to reach the object/array/leaf schema that shapes the XML. */
function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 16; i++) {
    const d = defOf(s);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'readonly' || d.type === 'nonoptional') && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.out) {
      // z.preprocess is pipe(transform → schema); a coercing leaf is pipe(union → number): both shape by `out`.
      s = defOf(d.out).type === 'transform' && d.in ? d.in : d.out;
    } else return s;
  }
  return s;
}

interface Ctx {
  opts: SerializeOptions;
  usedCsipaus: boolean;
}

function leaf(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Sep2XmlError('cannot serialize a non-finite number', 0, '');
    return String(v);
  }
  return String(v);
}

function writeElement(out: string[], name: string, schema: z.ZodType, value: unknown, ctx: Ctx, depth: number, rootAttrs: string): void {
  if (value === undefined || value === null) return;
  const s = unwrap(schema);
  const d = defOf(s);
  const pad = ctx.opts.pretty ? '\n' + '  '.repeat(depth) : '';
  let tag = name;
  if (CSIPAUS_ELEMENTS.has(name)) {
    if (ctx.opts.legacy) return;
    tag = `csipaus:${name}`;
    ctx.usedCsipaus = true;
  }
  if (ctx.opts.legacy && depth > 0 && ELEMENTS_2018_ONLY.has(name)) return;
  if (d.type === 'array' && d.element) {
    if (!Array.isArray(value)) throw new Sep2XmlError('expected an array', 0, name);
    for (const item of value) writeElement(out, name, d.element, item, ctx, depth, rootAttrs);
    return;
  }
  if (d.type === 'object' && d.shape) {
    const obj = value as Record<string, unknown>;
    let attrs = rootAttrs;
    const children: string[] = [];
    for (const [k, ks] of Object.entries(d.shape)) {
      const v = obj[k];
      if (v === undefined || v === null) continue;
      if (ATTRIBUTES.has(k)) attrs += ` ${k}="${escapeAttr(leaf(v))}"`;
      else writeElement(children, k, ks, v, ctx, depth + 1, '');
    }
    if (children.length === 0) out.push(`${pad}<${tag}${attrs}/>`);
    else out.push(`${pad}<${tag}${attrs}>${children.join('')}${pad}</${tag}>`);
    return;
  }
  out.push(`${pad}<${tag}>${escapeText(leaf(value))}</${tag}>`);
}

/** Serialize `value` as root element `rootName`, children in schema order, with the 2030.5 namespace. */
export function serializeResource<S extends z.ZodType>(rootName: string, schema: S, value: z.output<S>, opts: SerializeOptions = {}): string {
  if (!opts.trusted) {
    // What we send must be as valid as what we accept: a bad value is a typed error naming the element.
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Sep2XmlError(issue.message, 0, formatPath([rootName, ...issue.path]));
    }
    value = r.data;
  }
  const ctx: Ctx = { opts, usedCsipaus: false };
  const ns = ` xmlns="${opts.legacy ? SEP2_LEGACY_NS : SEP2_NS}"`;
  const out: string[] = [];
  writeElement(out, rootName, schema, value, ctx, 0, ns);
  let body = out.join('');
  if (ctx.opts.pretty) body = body.replace(/^\n/, '');
  if (ctx.usedCsipaus) body = body.replace(ns, `${ns} xmlns:csipaus="${CSIPAUS_NS}"`);
  return (opts.noDeclaration ? '' : '<?xml version="1.0" encoding="UTF-8"?>' + (opts.pretty ? '\n' : '')) + body;
}

export interface Sep2Resource<S extends z.ZodType> {
  name: string;
  schema: S;
  parse(text: string): z.output<S>;
  serialize(value: z.output<S>, opts?: SerializeOptions): string;
}

/** Bind a root element name to its schema: one parse and one serialize per resource. */
export function resource<S extends z.ZodType>(name: string, schema: S, alsoAccept: readonly string[] = []): Sep2Resource<S> {
  return {
    name,
    schema,
    parse: (text) => parseResource(text, name, schema, alsoAccept),
    serialize: (value, opts) => serializeResource(name, schema, value, opts),
  };
}
