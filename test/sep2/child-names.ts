/** Test helper (used by *.test.ts only): child element names of the root, in document order. */
export function childNames(xml: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const m of xml.matchAll(/<(\/?)([A-Za-z:]+)[^>]*?(\/?)>/g)) {
    if (m[0].startsWith('<?')) continue;
    if (m[1]) depth--;
    else {
      if (depth === 1) names.push(m[2]!);
      if (!m[3]) depth++;
    }
  }
  return names;
}
