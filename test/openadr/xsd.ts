/** Validate XML against the OpenADR 2.0b XSD set (../shared/schemas/openadr-2.0b beside the repository). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const repoRoot = resolve(__dirname, '..', '..');
const candidates = [resolve(repoRoot, '..', 'shared', 'schemas', 'openadr-2.0b'), '/work/shared/schemas/openadr-2.0b'];
export const SCHEMA_DIR = candidates.find((d) => existsSync(join(d, 'oadr_20b.xsd')));

export function schemaDirOrThrow(): string {
  if (!SCHEMA_DIR) {
    throw new Error(`OpenADR 2.0b XSD set not found; expected oadr_20b.xsd in ${candidates[0]} (CI copies shared/ beside the repo as ../shared)`);
  }
  return SCHEMA_DIR;
}

let files: Array<{ fileName: string; contents: string }> | undefined;
function load(): Array<{ fileName: string; contents: string }> {
  if (!files) {
    const dir = schemaDirOrThrow();
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.xsd'))
      .map((f) => ({ fileName: f, contents: readFileSync(join(dir, f), 'latin1') }));
  }
  return files;
}

export async function validate20b(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const [r] = await validateMany([xml]);
  return r!;
}

/** Validate several documents in one xmllint run (each run starts a worker, so batch in tests). */
export async function validateMany(xmls: string[]): Promise<Array<{ valid: boolean; errors: string[] }>> {
  const all = load();
  const main = all.find((f) => f.fileName === 'oadr_20b.xsd')!;
  const r = await validateXML({
    xml: xmls.map((contents, i) => ({ fileName: `payload${i}.xml`, contents })),
    schema: [main],
    preload: all.filter((f) => f !== main),
    maxMemoryPages: 4096,
  });
  return xmls.map((_, i) => {
    const errors = r.errors.filter((e) => e.loc?.fileName === `payload${i}.xml` || e.rawMessage.startsWith(`payload${i}.xml`)).map((e) => e.rawMessage);
    return { valid: errors.length === 0, errors };
  });
}
