import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's chromium (scripts/interop.mjs installs it) and the flags it needs headless in a container. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * Where a browser test saves its screenshots (artefacts for CI to keep): `$GB_ARTEFACTS/<test>` when set, else
 * `.gridbridge/artefacts/<test>` in the repository (gitignored).
 */
export function artefactDir(test: string): string {
  const dir = join(process.env.GB_ARTEFACTS ?? join(__dirname, '..', '..', '.gridbridge', 'artefacts'), test);
  mkdirSync(dir, { recursive: true });
  return dir;
}
