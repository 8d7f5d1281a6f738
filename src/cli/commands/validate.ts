import { parseArgs } from 'node:util';
import { formatProfileError } from '../../core/errors.js';
import { validateFile } from '../../runtime/validate.js';

export const summary = 'check device profiles and site mappings: gridbridge validate FILE… [--json]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals.length === 0) {
    process.stdout.write('usage: gridbridge validate FILE… [--json]\n  Exit 0 when every file is a valid profile or mapping; otherwise prints file:line:column: field: problem.\n');
    return values.help ? 0 : 2;
  }
  let bad = 0;
  const reports = positionals.map((f) => validateFile(f));
  for (const r of reports) {
    if (r.errors.length) bad++;
    if (!values.json) {
      if (r.errors.length === 0) process.stdout.write(`${r.file}: ok (${r.kind})\n`);
      // In file order (shape problems and cross-checks come from separate passes).
      for (const e of [...r.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) process.stdout.write(formatProfileError(e) + '\n');
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  return bad === 0 ? 0 : 1;
}
