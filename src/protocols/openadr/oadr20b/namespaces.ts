/**
 * Namespace check of a 2.0b payload. The element parser drops prefixes, so without this a payload in another
 * namespace (an OpenADR 2.0a `http://openadr.org/oadr-2.0a/2012/07` document, or unqualified elements) would be read
 * as if it were 2.0b. Every element must be in one of the target namespaces of the 2.0b schema set, and the envelope
 * plus the payload element must be in the oadr 2.0b namespace.
 */
import { NS } from './xml.js';

/** Target namespaces of the 16 files of the OpenADR 2.0b XSD set. */
export const SCHEMA_NAMESPACES: ReadonlySet<string> = new Set([
  ...Object.values(NS),
  'http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties',
  'http://www.w3.org/2000/09/xmldsig#',
  'http://www.w3.org/2009/xmldsig11#',
  'http://www.w3.org/2005/Atom',
  'http://www.opengis.net/gml/3.2',
  'http://naesb.org/espi',
  'http://www.w3.org/XML/1998/namespace',
  'urn:un:unece:uncefact:codelist:standard:5:ISO42173A:2010-04-07',
]);

export interface NamespaceProblem {
  /** Element path by local names, e.g. `oadrPayload.oadrSignedObject.oadrDistributeEvent`. */
  element: string;
  reason: string;
}

const TAG = /<(\/?)([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** First namespace problem of a well-formed document, or undefined. Call after the well-formedness check. */
export function namespaceProblem(xml: string): NamespaceProblem | undefined {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const stack: Array<{ local: string; scope: Map<string, string> }> = [];
  let scope = new Map<string, string>();
  for (const m of text.matchAll(TAG)) {
    const [, close, qname, attrs, selfClose] = m as unknown as [string, string, string, string, string];
    if (close) {
      stack.pop();
      scope = stack.at(-1)?.scope ?? new Map();
      continue;
    }
    const local = qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
    const prefix = qname.includes(':') ? qname.slice(0, qname.indexOf(':')) : '';
    let own: Map<string, string> | undefined;
    for (const a of attrs.matchAll(ATTR)) {
      const name = a[1]!;
      if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
      own ??= new Map(scope);
      own.set(name === 'xmlns' ? '' : name.slice(6), a[2] ?? a[3] ?? '');
    }
    const here = own ?? scope;
    const path = [...stack.map((s) => s.local), local].join('.');
    const ns = here.get(prefix);
    if (ns === undefined || ns === '') return { element: path, reason: prefix ? `undeclared prefix "${prefix}"` : 'element in no namespace (2.0b elements are all namespace-qualified)' };
    if (!SCHEMA_NAMESPACES.has(ns)) return { element: path, reason: `namespace ${ns} is not an OpenADR 2.0b namespace` };
    const envelope = stack.length === 0 || local === 'oadrSignedObject' || stack.at(-1)?.local === 'oadrSignedObject';
    if (envelope && ns !== NS.oadr) return { element: path, reason: `expected namespace ${NS.oadr}, found ${ns}` };
    if (!selfClose) {
      stack.push({ local, scope: here });
      scope = here;
    }
  }
  return undefined;
}
